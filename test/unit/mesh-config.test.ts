import { describe, expect, it } from 'vitest';
import { normalizeMesh, parseMeshText } from '../../config/mesh';
import { ConfigError } from '../../config/types';
import { readProvisioning } from '../../config/provisioning';

const good = {
  name: 'people',
  sources: [{ connector: 'hr', classes: ['user'] }, { connector: 'ad' }, 'okta'],
  correlation: [
    { name: 'employee-id', match: { source: 'ad', attribute: 'employeeNumber' }, with: { source: 'hr', attribute: 'employeeId' }, normalize: ['trim', 'lower'] },
    { name: 'email', match: { source: 'okta', attribute: 'email' }, with: { mesh: 'email' }, normalize: ['lower', 'stripDomain'] },
  ],
  attributes: {
    email: { from: ['hr.email', 'ad.mail'], transform: 'lower' },
    department: ['hr.department', { source: 'ad', attribute: 'department' }],
    username: 'ad.sAMAccountName',
  },
  lifecycle: { source: 'hr', onLeave: 'disable' },
};

function issues(doc: unknown): string[] {
  try {
    normalizeMesh(doc, 'mesh.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('mesh files', () => {
  it('normalizes a valid file (YAML too)', () => {
    const m = normalizeMesh(good, 'mesh.yaml');
    expect(m.sources.map((s) => s.connector)).toEqual(['hr', 'ad', 'okta']);
    expect(m.attributes.department.from).toEqual([{ source: 'hr', attribute: 'department' }, { source: 'ad', attribute: 'department' }]);
    expect(m.attributes.username.from).toEqual([{ source: 'ad', attribute: 'sAMAccountName' }]);
    expect(m.correlation[1].with).toEqual({ mesh: 'email' });
    expect(m.lifecycle).toEqual({ source: 'hr', onLeave: 'disable' });
    const yaml = `name: people\nsources: [hr, ad]\ncorrelation:\n  - match: { source: ad, attribute: employeeNumber }\n    with: { source: hr, attribute: employeeId }\nlifecycle: { source: hr }\n`;
    const y = parseMeshText(yaml, 'm.yaml');
    expect(y.correlation[0].name).toBe('rule-1');
    expect(y.lifecycle.onLeave).toBe('disable');
  });

  it('refuses bad input naming each bad field', () => {
    const bad = structuredClone(good) as unknown as { name: string; sources: unknown[]; correlation: Record<string, unknown>[]; attributes: Record<string, unknown> & { email: { transform: string } }; lifecycle: unknown; extra?: number };
    bad.name = 'Bad Name';
    bad.sources[1] = { connector: 'ad', classes: ['group'] };
    bad.correlation[0].normalize = ['upper'];
    bad.correlation[1].with = { mesh: 'nope' };
    bad.correlation.push({ match: { source: 'ldap', attribute: 'x' }, with: { source: 'hr', attribute: 'y' } });
    bad.attributes.department = ['payroll.dept'];
    bad.attributes.email.transform = 'reverse';
    bad.lifecycle = { source: 'hr', onLeave: 'explode' };
    bad.extra = 1;
    const got = issues(bad);
    expect(got.map((i) => i.split(':')[0]).sort()).toEqual([
      'attributes.department.from[0]',
      'attributes.email.transform',
      'correlation[0].normalize[0]',
      'correlation[1].with.mesh',
      'correlation[2].match.source',
      'extra',
      'lifecycle.onLeave',
      'name',
      'sources[1].classes',
    ].sort());
  });

  it('requires a lifecycle source among the sources and rules across two sources', () => {
    expect(issues({ ...good, lifecycle: { source: 'payroll' } })).toEqual([expect.stringMatching(/^lifecycle\.source: expected one of the mesh's sources/)]);
    expect(issues({ ...good, lifecycle: undefined })).toEqual([expect.stringMatching(/^lifecycle: required/)]);
    const same = { ...good, correlation: [{ name: 'x', match: { source: 'hr', attribute: 'a' }, with: { source: 'hr', attribute: 'b' } }] };
    expect(issues(same)).toEqual([expect.stringMatching(/^correlation\[0\]\.with\.source:/)]);
    expect(issues({ ...good, sources: [] })).toContainEqual(expect.stringMatching(/^sources: required/));
  });

  it('lets provisioning.from name a mesh', () => {
    const problems: string[] = [];
    expect(readProvisioning({ from: 'mesh/people' }, 'ad', (p, m) => problems.push(`${p}: ${m}`))?.from).toBe('mesh/people');
    expect(readProvisioning({ from: 'mesh/Bad Name' }, 'ad', (p, m) => problems.push(`${p}: ${m}`))).toBeUndefined();
    expect(problems).toEqual([expect.stringMatching(/^provisioning\.from:/)]);
  });
});
