// Dotted source paths (`profile.email`, `emails[0].value`, `["urn:…:2.0:User"].department`)
// compiled once into steps: mapping and filters run them for every record of every sync.

type Step = string | number;
export type PathGetter = (obj: unknown) => unknown;

const NAME = /[^.[\]\s"']+/y;
const INDEX = /\[(\d+)\]/y;
const QUOTED = /\[(?:"([^"]*)"|'([^']*)')\]/y;

export function parsePath(path: string): Step[] {
  if (typeof path !== 'string' || path.trim() === '') throw new Error('expected a path like profile.email, got an empty path');
  const steps: Step[] = [];
  let at = 0;
  let needName = true;
  while (at < path.length) {
    const ch = path[at];
    if (ch === '[') {
      INDEX.lastIndex = at;
      QUOTED.lastIndex = at;
      const index = INDEX.exec(path);
      const quoted = index ? null : QUOTED.exec(path);
      if (index) {
        steps.push(Number(index[1]));
        at = INDEX.lastIndex;
      } else if (quoted) {
        steps.push(quoted[1] ?? quoted[2]);
        at = QUOTED.lastIndex;
      } else {
        throw syntaxError(path, at, 'an index like [0] or a quoted key like ["name"]');
      }
      needName = false;
      continue;
    }
    if (ch === '.') {
      if (needName) throw syntaxError(path, at, 'a name');
      at++;
      needName = true;
      continue;
    }
    if (!needName && steps.length > 0) throw syntaxError(path, at, '"." or "["');
    NAME.lastIndex = at;
    const name = NAME.exec(path);
    if (!name) throw syntaxError(path, at, 'a name');
    steps.push(name[0]);
    at = NAME.lastIndex;
    needName = false;
  }
  if (needName) throw syntaxError(path, path.length, 'a name after "."');
  return steps;
}

function syntaxError(path: string, at: number, expected: string): Error {
  return new Error(`invalid path ${JSON.stringify(path)}: expected ${expected} at position ${at + 1}`);
}

// Keys that would otherwise resolve to Object.prototype members (`constructor`, `toString`)
// must only match own properties; every other key skips that check because it is on the hot path.
const hasOwn = Object.prototype.hasOwnProperty;
const inherited = (key: Step) => typeof key === 'string' && key in Object.prototype;

function step(obj: unknown, key: Step, guard: boolean): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  if (guard && !hasOwn.call(obj, key)) return undefined;
  return (obj as Record<Step, unknown>)[key];
}

export function compilePath(path: string): PathGetter {
  const steps = parsePath(path);
  const guards = steps.map(inherited);
  if (steps.length === 1) {
    const [k] = steps;
    const g = guards[0];
    return (obj) => step(obj, k, g);
  }
  if (steps.length === 2) {
    const [k1, k2] = steps;
    const [g1, g2] = guards;
    return (obj) => step(step(obj, k1, g1), k2, g2);
  }
  const n = steps.length;
  return (obj) => {
    let value = obj;
    for (let i = 0; i < n; i++) {
      value = step(value, steps[i], guards[i]);
      if (value === undefined) return undefined;
    }
    return value;
  };
}
