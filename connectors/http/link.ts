// RFC 8288 Link headers. Servers send one header line per link (Okta) or a comma-joined list;
// URLs may themselves hold commas, so the value is scanned by its `<…>` brackets, not split.

export interface WebLink {
  url: string;
  rels: string[];
  params: Record<string, string>;
}

export type HeaderValue = string | string[] | undefined;

export function parseLinkHeader(value: HeaderValue): WebLink[] {
  const lines = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const links: WebLink[] = [];
  for (const line of lines) {
    let i = 0;
    while (i < line.length) {
      const open = line.indexOf('<', i);
      if (open < 0) break;
      const close = line.indexOf('>', open + 1);
      if (close < 0) break;
      const url = line.slice(open + 1, close).trim();
      const { params, end } = readParams(line, close + 1);
      const rels = (params.rel ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      links.push({ url, rels, params });
      i = end;
    }
  }
  return links;
}

/** Parameters after `<url>` up to the comma that starts the next link (quoted commas kept). */
function readParams(line: string, from: number): { params: Record<string, string>; end: number } {
  const params: Record<string, string> = {};
  let i = from;
  while (i < line.length) {
    while (i < line.length && /[\s;]/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === ',') return { params, end: i + 1 };
    const eq = /^([^=;,\s]+)\s*(=\s*)?/.exec(line.slice(i));
    if (!eq) return { params, end: line.length };
    const name = eq[1]!.toLowerCase();
    i += eq[0].length;
    let val = '';
    if (eq[2]) {
      if (line[i] === '"') {
        let j = i + 1;
        while (j < line.length && line[j] !== '"') {
          if (line[j] === '\\') j++;
          val += line[j] ?? '';
          j++;
        }
        i = j + 1;
      } else {
        const m = /^[^;,]*/.exec(line.slice(i))!;
        val = m[0].trim();
        i += m[0].length;
      }
    }
    // The first occurrence of a parameter wins (RFC 8288 §3).
    if (!(name in params)) params[name] = val;
  }
  return { params, end: i };
}

/** The URL of the first link with the given relation, or null. */
export function findLink(value: HeaderValue, rel: string): string | null {
  const want = rel.toLowerCase();
  return parseLinkHeader(value).find((l) => l.rels.includes(want))?.url ?? null;
}

export const nextLink = (value: HeaderValue): string | null => findLink(value, 'next');
