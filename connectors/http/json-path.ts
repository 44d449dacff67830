// Dotted paths into JSON bodies (`meta.next_cursor`, `Resources`, `@odata.nextLink`). Keys may
// themselves hold dots (OData annotations), so a whole key is tried before splitting on a dot.

export function valueAt(body: unknown, path: string): unknown {
  if (path === '') return body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const obj = body as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(obj, path)) return obj[path];
  for (let i = path.indexOf('.'); i > 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (Object.prototype.hasOwnProperty.call(obj, head)) {
      const found = valueAt(obj[head], path.slice(i + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
