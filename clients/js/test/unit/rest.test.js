import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConveneError, ConveneRest } from '../../src/index.js';
import { recordingFetch } from './fakes.js';

describe('REST helper', () => {
  test('sends JSON with the bearer token and returns the parsed answer', async () => {
    const { fetch, calls } = recordingFetch({ status: 201, body: { meetingId: 'mtg_1' } });
    const rest = new ConveneRest({ url: 'http://h:1/', token: 'jwt', fetch });
    const out = await rest.createMeeting({ title: 'T', startTime: 'a', endTime: 'b' });
    assert.deepEqual(out, { meetingId: 'mtg_1' });
    assert.equal(calls[0].url, 'http://h:1/api/meetings');
    assert.equal(calls[0].method, 'POST');
    assert.equal(calls[0].headers.Authorization, 'Bearer jwt');
    assert.equal(calls[0].headers['Content-Type'], 'application/json');
    assert.deepEqual(calls[0].body, { title: 'T', startTime: 'a', endTime: 'b' });
  });

  test('a token function is asked on every call', async () => {
    let n = 0;
    const { fetch, calls } = recordingFetch({ body: { items: [] } }, { body: { items: [] } });
    const rest = new ConveneRest({ url: 'http://h', token: async () => `t${++n}`, fetch });
    await rest.listMeetings({ filter: 'my', limit: 50 });
    await rest.notifications();
    assert.equal(calls[0].url, 'http://h/api/meetings?filter=my&limit=50');
    assert.deepEqual(calls.map((c) => c.headers.Authorization), ['Bearer t1', 'Bearer t2']);
  });

  test('problem+json becomes a ConveneError with code, status and field errors', async () => {
    const problem = {
      type: 'urn:convene:problem:validation_failed', title: 'Bad Request', status: 400, code: 'validation_failed',
      detail: 'endTime: must be after startTime', errors: [{ field: 'endTime', code: 'order', message: 'must be after startTime' }],
    };
    const { fetch } = recordingFetch({ status: 400, body: problem, contentType: 'application/problem+json' });
    const rest = new ConveneRest({ url: 'http://h', token: 'jwt', fetch });
    await assert.rejects(rest.createMeeting({}), (e) => {
      assert.ok(e instanceof ConveneError);
      assert.equal(e.code, 'validation_failed');
      assert.equal(e.status, 400);
      assert.equal(e.message, 'endTime: must be after startTime');
      assert.equal(e.errors[0].field, 'endTime');
      return true;
    });
  });

  test('an error that is not problem+json gets code http_<status>', async () => {
    const { fetch } = recordingFetch({ status: 502, body: 'Bad Gateway', contentType: 'text/plain' });
    const rest = new ConveneRest({ url: 'http://h', token: 'jwt', fetch });
    await assert.rejects(rest.getMeeting('mtg_1'), { code: 'http_502', status: 502 });
  });

  test('a network failure gets code network_error', async () => {
    const { fetch } = recordingFetch(new TypeError('fetch failed'));
    const rest = new ConveneRest({ url: 'http://h', token: 'jwt', fetch });
    await assert.rejects(rest.presence(['bob']), { code: 'network_error' });
  });

  test('204 answers resolve with null', async () => {
    const { fetch, calls } = recordingFetch({ status: 204 });
    const rest = new ConveneRest({ url: 'http://h', token: 'gt_guest', fetch });
    assert.equal(await rest.endGuestSession('gst_1'), null);
    assert.equal(calls[0].method, 'DELETE');
  });

  test('public guest routes send no token; path segments are escaped', async () => {
    const { fetch, calls } = recordingFetch({ body: { meetingId: 'm' } }, { status: 201, body: { sessionId: 's', guestToken: 'gt' } });
    const rest = new ConveneRest({ url: 'http://h', token: 'jwt', fetch });
    await rest.joinInfo('inv/../x');
    await rest.registerGuest({ invitationToken: 'inv_1', displayName: 'Gina' });
    assert.equal(calls[0].url, 'http://h/api/external/join/inv%2F..%2Fx');
    assert.equal(calls[0].headers.Authorization, undefined);
    assert.equal(calls[1].headers.Authorization, undefined);
    assert.deepEqual(calls[1].body, { invitationToken: 'inv_1', displayName: 'Gina' });
  });

  test('recording routes: start, stop, list with paging, get and delete', async () => {
    const { fetch, calls } = recordingFetch({ status: 202, body: { recordingId: 'rec_1', status: 'starting' } },
      { status: 202, body: { recordingId: 'rec_1', status: 'recording' } }, { body: { items: [] } },
      { body: { recordingId: 'rec_1' } }, { status: 204 });
    const rest = new ConveneRest({ url: 'http://h', token: 'jwt', fetch });
    assert.equal((await rest.startRecording('mtg_1')).status, 'starting');
    await rest.stopRecording('mtg_1', 'rec_1');
    await rest.recordings('mtg_1', { limit: 10 });
    await rest.getRecording('rec_1');
    assert.equal(await rest.deleteRecording('rec_1'), null);
    assert.deepEqual(calls.map((c) => `${c.method} ${c.url}`), [
      'POST http://h/api/meetings/mtg_1/recordings',
      'POST http://h/api/meetings/mtg_1/recordings/rec_1/stop',
      'GET http://h/api/meetings/mtg_1/recordings?limit=10',
      'GET http://h/api/recordings/rec_1',
      'DELETE http://h/api/recordings/rec_1',
    ]);
  });

  test('devToken posts to /dev/token without a token', async () => {
    const { fetch, calls } = recordingFetch({ body: { userId: 'alice', token: 'jwt' } });
    const rest = new ConveneRest({ url: 'http://h', fetch });
    assert.equal((await rest.devToken({ userId: 'alice', name: 'Alice' })).token, 'jwt');
    assert.equal(calls[0].url, 'http://h/dev/token');
    assert.deepEqual(calls[0].body, { userId: 'alice', name: 'Alice' });
    assert.equal(calls[0].headers.Authorization, undefined);
  });
});
