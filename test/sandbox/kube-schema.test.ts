import { request } from 'node:https';
// The generated models' serializer (not re-exported by the package index in 1.4).
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestKube, type TestKube } from '../support/kube.js';

/**
 * Every field the stand-in serves exists in the real API's schema, as the official client's
 * generated models know it: a round trip through ObjectSerializer (which drops fields it
 * does not know) keeps every path. Catches invented or misplaced fields, not only wrong values.
 */
function raw(k: TestKube, path: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${k.server}${path}`,
      { ca: k.caPem, headers: { authorization: `Bearer ${k.token}` } },
      (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(JSON.parse(b)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function paths(v: unknown, at = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => paths(x, `${at}[]`));
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    return Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .flatMap(([key, x]) => [`${at}.${key}`, ...paths(x, `${at}.${key}`)]);
  }
  return [];
}

/** Maps (labels, data, selectors) have free keys: their entries are not schema fields. */
const FREE = /\.(labels|annotations|data|matchLabels|selector)\.[^.]+/;
const schemaPaths = (v: unknown) =>
  [...new Set(paths(v).map((p) => p.replace(FREE, (m) => m.slice(0, m.lastIndexOf('.')))))].sort();

describe('sandbox --kube objects against the client-node models', () => {
  let k: TestKube;
  beforeAll(async () => {
    k = await startTestKube({ pods: 2 }); // read only: one for the file, stopped after it
  });
  it.each([
    ['/api/v1/namespaces/pika/pods', 'V1PodList'],
    ['/api/v1/namespaces/pika/pods/pika-0', 'V1Pod'],
    ['/apis/apps/v1/namespaces/pika/statefulsets/pika', 'V1StatefulSet'],
    ['/apis/apps/v1/namespaces/pika/deployments/pika', 'V1Deployment'],
    ['/api/v1/namespaces/pika/services/pika', 'V1Service'],
    ['/api/v1/namespaces/pika/services/pika-cluster', 'V1Service'],
    ['/api/v1/namespaces/pika/secrets/pika-encryption', 'V1Secret'],
    ['/api/v1/namespaces/pika/pods/nope', 'V1Status'],
    ['/api/v1', 'V1APIResourceList'],
    ['/apis', 'V1APIGroupList'],
    ['/api', 'V1APIVersions'],
    ['/version', 'VersionInfo'],
  ])('%s is a %s', async (path, type) => {
    const body = await raw(k, path);
    const round = ObjectSerializer.serialize(ObjectSerializer.deserialize(body, type, ''), type, '');
    expect(schemaPaths(body)).toEqual(schemaPaths(round));
  });
});
