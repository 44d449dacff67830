// A history's text as a reader would see it: the JSON plus every payload decoded (payload data is
// base64 in the JSON, so a record's email would not show in the raw text).
export function readableHistory(history: unknown): string {
  const decoded: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'data' && typeof x === 'string') decoded.push(Buffer.from(x, 'base64').toString('utf8'));
      else walk(x);
    }
  };
  walk(history);
  return `${JSON.stringify(history)}\n${decoded.join('\n')}`;
}

export const EMAIL = /[\w.+-]+@[\w-]+\.[a-z]{2,}/i;
