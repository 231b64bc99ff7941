import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, applyPatch } from '../../src/sandbox/kube/patch.js';
import { parseSelector } from '../../src/sandbox/kube/selectors.js';
import { KubeError } from '../../src/sandbox/kube/status.js';
import { SPDY3_DICTIONARY, adler32 } from '../../src/sandbox/kube/spdy-dictionary.js';

describe('label selectors', () => {
  const pod = { 'app.kubernetes.io/name': 'pika', 'apps.kubernetes.io/pod-index': '1' };
  it.each([
    ['app.kubernetes.io/name=pika', true],
    ['app.kubernetes.io/name==pika', true],
    ['app.kubernetes.io/name!=pika', false],
    ['app.kubernetes.io/name in (pika, other)', true],
    ['apps.kubernetes.io/pod-index notin (0,2),app.kubernetes.io/name', true],
    ['!app.kubernetes.io/name', false],
    ['tier', false],
    ['', true],
  ])('%s → %s', (sel, want) => expect(parseSelector(sel)(pod)).toBe(want));

  it('a field selector takes only equality, and garbage is a 400', () => {
    expect(parseSelector('metadata.name=pika-1', true)({ 'metadata.name': 'pika-1' })).toBe(true);
    expect(() => parseSelector('metadata.name in (a)', true)).toThrow(KubeError);
    expect(() => parseSelector('a b c')).toThrow(/unable to parse requirement/);
  });
});

describe('patches', () => {
  const secret = { metadata: { name: 's', resourceVersion: '7' }, data: { password: 'b2xk', keep: 'eA==' } };
  it('merge patch: null deletes, objects merge, $-directives are dropped', () => {
    expect(mergePatch(secret, { data: { password: null, 'password.pending': 'bmV3' }, $patch: 'merge' })).toEqual({
      metadata: { name: 's', resourceVersion: '7' },
      data: { keep: 'eA==', 'password.pending': 'bmV3' },
    });
  });
  it('JSON patch: add, replace, remove, a failing test stops everything; the input is not changed', () => {
    const out = jsonPatch(secret, [
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/data/password.previous', value: 'b2xk' },
      { op: 'replace', path: '/data/password', value: 'bmV3' },
      { op: 'remove', path: '/data/keep' },
    ]);
    expect(out).toEqual({
      metadata: { name: 's', resourceVersion: '7' },
      data: { password: 'bmV3', 'password.previous': 'b2xk' },
    });
    expect(secret.data.keep).toBe('eA==');
    expect(() => jsonPatch(secret, [{ op: 'test', path: '/metadata/resourceVersion', value: '6' }])).toThrow(
      /testing value/,
    );
    expect(() => jsonPatch(secret, [{ op: 'replace', path: '/data/missing', value: 'x' }])).toThrow(KubeError);
  });
  it('an unknown patch type is 415', () => {
    expect(() => applyPatch('application/yaml', secret, {})).toThrow(expect.objectContaining({ code: 415 }));
  });
});

it('the SPDY/3 dictionary: 1423 bytes, Adler-32 e3c6a7c2 (the DICTID kubectl 1.32 puts in its first header block)', () => {
  expect(SPDY3_DICTIONARY.length).toBe(1423);
  expect(adler32(SPDY3_DICTIONARY).toString(16)).toBe('e3c6a7c2');
});
