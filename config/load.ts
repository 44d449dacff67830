// Reading connector files: YAML (seed 000) or JSON (seed 004), chosen by extension or by the
// first character. Parser messages are cut to their position because both parsers would
// otherwise quote the offending line, which may hold a literal secret.

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import { normalizeWithWarnings, type NormalizedConnector } from './normalize';
import { ConfigError, type ConnectorDefinition, type ConnectorTypes } from './types';

export function parseConnectorText(text: string, file: string, types: ConnectorTypes): ConnectorDefinition {
  return parseConnectorTextWithWarnings(text, file, types).definition;
}

/** The definition and the warnings that do not stop it from being stored. */
export function parseConnectorTextWithWarnings(text: string, file: string, types: ConnectorTypes): NormalizedConnector {
  const doc = isJson(text, file) ? parseJson(text, file) : parseYaml(text, file);
  return normalizeWithWarnings(doc, file, types);
}

export function loadConnectorFile(path: string, types: ConnectorTypes): ConnectorDefinition {
  return loadConnectorFileWithWarnings(path, types).definition;
}

export function loadConnectorFileWithWarnings(path: string, types: ConnectorTypes): NormalizedConnector {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([{ file: path, path: '', message: `cannot read the connector file (${code})` }]);
  }
  return parseConnectorTextWithWarnings(text, path, types);
}

function isJson(text: string, file: string): boolean {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return true;
  if (ext === '.yaml' || ext === '.yml') return false;
  return text.trimStart().startsWith('{');
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = String((err as Error).message);
    const at = /at position (\d+)/.exec(message);
    const where = at ? ` at ${lineAndColumn(text, Number(at[1]))}` : '';
    // V8 appends a quote of the input (`…, "{"apiToken": x}" is not valid JSON`); drop it.
    const reason = message
      .replace(/,\s*".*$/s, '')
      .replace(/\s*(in JSON )?at position \d+.*$/s, '')
      .replace(/^Unexpected token .*$/s, 'unexpected character');
    throw new ConfigError([{ file, path: '', message: `invalid JSON${where}: ${reason}` }]);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

// `apiToken: {{secret:okta-api-token}}` is a flow mapping to YAML, not a string; seed 004
// writes references that way, so an unquoted one that is the whole value is quoted first.
const UNQUOTED_SECRET = /^(\s*(?:-\s+|[^#\s][^#]*?:\s+))(\{\{\s*secret:[^}\s]+\s*\}\})(\s*(?:#.*)?)$/gm;

function parseYaml(text: string, file: string): unknown {
  const doc = YAML.parseDocument(text.replace(UNQUOTED_SECRET, '$1"$2"$3'), { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
        return { file, path: '', message: `invalid YAML${where}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}` };
      }),
    );
  }
  return doc.toJS();
}
