// What importQuery names: a table or view (`dbo.Employees`, `"hr"."people"`, `[dbo].[Staff]`),
// whose name parts are quoted per dialect, or one SELECT (or WITH … SELECT), which is wrapped as
// a subquery. A SELECT is the administrator's own SQL; what is checked is that it is exactly one
// statement whose parentheses close, so the wrapper around it cannot be broken out of.

export type ImportSource = { kind: 'table'; parts: string[] } | { kind: 'query'; sql: string };

const QUERY = /^\s*(select|with)\b/i;

export function parseImportQuery(raw: string): ImportSource {
  const text = raw.trim();
  if (!text) throw new Error('is empty (expected a table or view name such as dbo.Employees, or a SELECT)');
  if (QUERY.test(text)) return { kind: 'query', sql: checkedQuery(text) };
  return { kind: 'table', parts: tableParts(text) };
}

/** `a.b.c`, where a part may be written "quoted", [bracketed] or `backticked` (so it may hold a
 *  dot); at most three parts (database.schema.table). */
function tableParts(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    const open = text[i];
    const close = open === '[' ? ']' : open === '"' || open === '`' ? open : undefined;
    let part: string;
    if (close) {
      let j = i + 1;
      part = '';
      for (;;) {
        if (j >= text.length) throw new Error(`has an unclosed ${open} in the table name`);
        if (text[j] === close) {
          if (text[j + 1] === close) {
            part += close;
            j += 2;
            continue;
          }
          break;
        }
        part += text[j];
        j++;
      }
      i = j + 1;
      if (i < text.length && text[i] !== '.') throw new Error('has text after a quoted part of the table name');
    } else {
      const dot = text.indexOf('.', i);
      part = (dot < 0 ? text.slice(i) : text.slice(i, dot)).trim();
      i = dot < 0 ? text.length : dot;
    }
    if (!part) throw new Error('has an empty part in the table name (expected schema.table such as dbo.Employees)');
    if (part.length > 128) throw new Error('has a table name part longer than 128 characters');
    parts.push(part);
    if (i >= text.length) break;
    i++; // the dot
    if (i >= text.length) throw new Error('ends with "." (expected schema.table such as dbo.Employees)');
  }
  if (parts.length > 3) throw new Error('has more than three dotted parts (expected table, schema.table or database.schema.table)');
  return parts;
}

/** One statement: no `;` but trailing ones, parentheses balanced outside strings, quoted names
 *  and comments. Trailing semicolons are dropped. */
function checkedQuery(text: string): string {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new Error(`has an unclosed ${c}`);
        if (text[j] === close) {
          if (text[j + 1] === close) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      i = j;
      continue;
    }
    if (c === '-' && next === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new Error('has an unclosed /* comment');
      i = end + 1;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')') {
      depth--;
      if (depth < 0) throw new Error('has a ")" without its "("');
    }
    if (c === ';') {
      if (/^[\s;]*$/.test(text.slice(i))) return text.slice(0, i).trimEnd();
      throw new Error('must be one SELECT statement, but has a ";" followed by more text');
    }
  }
  if (depth !== 0) throw new Error('has a "(" without its ")"');
  return text;
}

/** The FROM item the connector reads: the quoted table, or the SELECT as a derived table. Line
 *  breaks keep a trailing `-- comment` in the query from swallowing the closing parenthesis. */
export function fromClause(src: ImportSource, quoteIdent: (part: string) => string): string {
  return src.kind === 'table' ? `${src.parts.map(quoteIdent).join('.')} AS t` : `(\n${src.sql}\n) AS t`;
}
