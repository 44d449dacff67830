// One place that decides which field names hold secrets, so errors, redaction and logs agree.
// It errs on the side of hiding: a hidden non-secret costs a little clarity, a shown secret costs a rotation.

const SECRET_NAME = /token|secret|passw|pwd|key|credential|connectionstring|private|cookie|signature|auth(?!ority)/i;

export function looksSecret(fieldName: string | number | undefined): boolean {
  return typeof fieldName === 'string' && SECRET_NAME.test(fieldName);
}

/** Whether any field along a dotted path (`webhooks.secret`, `config.credentials.user`) looks secret. */
export function pathLooksSecret(path: string): boolean {
  return path.split(/[.[\]]/).some(looksSecret);
}

/** A value quoted for an error message, unless the path it came from looks secret. */
export function showValue(value: unknown, path: string): string {
  if (pathLooksSecret(path)) return '(value hidden)';
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Fields that hold a credential by definition: they must be references, never literal values,
 *  because a stored definition is printed, exported and sent to workflows as it is written. */
export const SECRET_FIELDS: readonly string[] = ['apiToken', 'bindPassword', 'clientSecret', 'secret'];
