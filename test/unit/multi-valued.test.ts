import { describe, expect, it } from 'vitest';
import { formatMultiValued, parseMultiValued, toMultiValued } from '../../config/multi-valued';

describe('seed 001 multi-valued form [a;;b]', () => {
  it.each<[string, string[]]>([
    ['[a;;b]', ['a', 'b']],
    ['[]', []],
    ['[a]', ['a']],
    ['[a;;;;b]', ['a', '', 'b']],
    ['[a;;]', ['a', '']],
    ['[x;y;;z]', ['x;y', 'z']],
    ['[[x];;y]', ['[x]', 'y']],
    ['[x]];;[y]', ['x]]', '[y']],
    ['[a\\;;;b\\\\]', ['a;', 'b\\']],
    ['[sales;;R&D;;]', ['sales', 'R&D', '']],
  ])('parses %s', (text, values) => {
    expect(parseMultiValued(text)).toEqual(values);
  });

  it.each<[string[], string]>([
    [['a', 'b'], '[a;;b]'],
    [[], '[]'],
    [['a'], '[a]'],
    [['a;', 'b'], '[a\\;;;b]'],
    [['x;;y'], '[x\\;\\;y]'],
    [['[x]', 'back\\slash'], '[[x];;back\\\\slash]'],
    [['a', ''], '[a;;]'],
  ])('formats %j', (values, text) => {
    expect(formatMultiValued(values)).toBe(text);
  });

  it.each([[['a', 'b']], [[]], [['a']], [['a;', ';b', ';;', '\\', '[', ']', '']], [['', '']], [['x]', '[y']]])('round-trips %j', (values) => {
    expect(parseMultiValued(formatMultiValued(values))).toEqual(values);
  });

  it('writes numbers and booleans as text and refuses the rest', () => {
    expect(formatMultiValued([1, true])).toBe('[1;;true]');
    expect(() => formatMultiValued(['a', null])).toThrow('value 1 of a multi-valued attribute must be text, a number or a boolean, got null');
    expect(() => formatMultiValued([{}])).toThrow('got object');
    expect(() => formatMultiValued([''])).toThrow('one empty string');
  });

  it.each(['a;;b', '[a;;b', 'a]', '', '[a\\]'])('refuses %j', (text) => {
    expect(() => parseMultiValued(text)).toThrow(/multi-valued attribute/);
  });

  it('turns source values into the array the store keeps', () => {
    expect(toMultiValued(['a', 'b'])).toEqual(['a', 'b']);
    expect(toMultiValued('[a;;b]')).toEqual(['a', 'b']);
    expect(toMultiValued('solo')).toEqual(['solo']);
    expect(toMultiValued(null)).toBeNull();
    expect(toMultiValued(undefined)).toBeNull();
    const source = ['x'];
    const stored = toMultiValued(source);
    expect(stored).not.toBe(source);
  });
});
