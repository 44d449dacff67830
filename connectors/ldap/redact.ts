// Keeps values that came from `${ENV}` / `{{secret:…}}` references out of messages: the connector
// only sees resolved config, so the unresolved definition says which fields were references. A
// referenced field is shown by its name (`config.host`); the bind password is always one.
const REFERENCE = /\$\{[^}]*\}|\{\{\s*secret:[^}]*\}\}/;
/** Shorter values would blank out ordinary words of a message. */
const MIN_SCRUBBED = 3;

export class Redactor {
  private readonly referenced = new Set<string>();
  private readonly values: { field: string; value: string }[] = [];

  /** `raw` is the definition's config as written; `resolved` the same after reference resolution. */
  constructor(raw: unknown, resolved: Record<string, unknown>) {
    const written = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    for (const [field, value] of Object.entries(resolved)) {
      if (typeof value !== 'string') continue;
      const w = written[field];
      if (field === 'bindPassword' || (typeof w === 'string' && REFERENCE.test(w))) {
        this.referenced.add(field);
        if (value.length >= MIN_SCRUBBED) this.values.push({ field, value });
      }
    }
    // Longest first, so a value that contains another is replaced whole.
    this.values.sort((a, b) => b.value.length - a.value.length);
  }

  /** The value itself when it was written literally, else the field's name. */
  show(field: string, value: string | number | undefined): string {
    return this.referenced.has(field) ? `config.${field}` : String(value);
  }

  /** Replaces every referenced value met in `text` (server and socket messages may echo them). */
  scrub(text: string): string {
    let out = text;
    for (const { field, value } of this.values) out = out.split(value).join(`config.${field}`);
    return out;
  }

  /** Scrubs an error in place (message and stack) and returns it. */
  scrubError<E>(e: E): E {
    if (e instanceof Error) {
      e.message = this.scrub(e.message);
      if (e.stack) e.stack = this.scrub(e.stack);
    }
    return e;
  }
}
