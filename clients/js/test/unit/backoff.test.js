import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from '../../src/index.js';

test('the delay is uniform below a cap that doubles up to the maximum', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2 };
  assert.equal(backoffDelay(0, policy, () => 0), 0);
  assert.equal(backoffDelay(0, policy, () => 0.999999), 99);
  assert.equal(backoffDelay(3, policy, () => 0.5), 400);
  assert.equal(backoffDelay(10, policy, () => 0.5), 500);
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(i % 8, policy);
    assert.ok(d >= 0 && d < Math.min(1000, 100 * 2 ** (i % 8)), `delay ${d} at attempt ${i % 8}`);
  }
});
