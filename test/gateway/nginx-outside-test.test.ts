import { aroundAll, describe, expect, it } from 'vitest';
import { NGINX, startNginx } from '../support/nginx.js';

/**
 * startNginx called outside a test is stopped by an afterAll its module registered once per
 * process; in the shared project (vitest.config.ts, isolate: false) that afterAll ran with the
 * first file only, so a later file's nginx would live on until the worker exits. There it
 * refuses, as startTestSandbox, startTestKube and startAnswerProxy do (support/own-process.ts).
 * (aroundAll runs outside any test, as a beforeAll does, without moving this file into a
 * process of its own.)
 */
describe.runIf(NGINX && process.env.PIKACTL_TEST_SHARED_WORKER === '1')('startNginx in a shared worker', () => {
  let outside = '';
  aroundAll(async (runSuite) => {
    outside = await startNginx([{ path: '/x/', body: 'return 204;' }]).then(
      async (n) => (await n.stop(), 'started'),
      (e: Error) => e.message,
    );
    await runSuite();
  });

  it('refuses to start outside a test', () => {
    expect(outside).toMatch(/startNginx ran outside a test .*shared worker/);
  });
});
