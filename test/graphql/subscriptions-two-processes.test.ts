import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../reliability/support/server.js';
import { onPostgres } from '../support/database.js';
import { fusion } from '../support/fusion.js';
import { gql } from '../support/graphql.js';
import { subscribe, wsClient, type GqlResult } from '../support/live.js';

/**
 * Two server processes (src/main.ts) on one PostgreSQL database: a real graphql-ws client subscribed on process A
 * receives the changes written through process B, woken by LISTEN/NOTIFY (with REDIS_URL, by Redis as well: the
 * processes then listen on both, and this shows the configuration works, not which channel woke A); the
 * per-event access check runs on A against the shared database, so a token revoked through B ends its subscription
 * on A before a later event is shown.
 */
const RECORDS_CHANGED = `subscription ($id: ID!) {
  recordsChanged(datasheetId: $id) {
    kind sequence datasheetId recordIds
    records { id fields }
    changes { recordId field oldValue newValue }
  }
}`;

const events = (results: GqlResult[]) => results.map((r) => r.data?.recordsChanged as Record<string, unknown>);

const configurations = [
  { waker: 'LISTEN/NOTIFY', env: {} as Record<string, string>, runs: onPostgres() },
  {
    waker: 'Redis pub/sub (REDIS_URL)',
    env: { REDIS_URL: process.env.REDIS_URL ?? '' },
    runs: onPostgres() && !!process.env.REDIS_URL,
  },
];

for (const { waker, env, runs } of configurations) {
  describe.skipIf(!runs)(`graphql-ws subscriptions across two processes, woken by ${waker}`, () => {
    let a: ServerProcess;
    let b: ServerProcess;
    beforeAll(async () => {
      // The fallback poll (an hour) never runs here: only the wake-up channel under test carries B's commits to A.
      const settings = { LOG_LEVEL: 'warn', FEED_POLL_SECONDS: '3600', ...env };
      a = await startServerProcess(settings);
      b = await startServerProcess(settings, { beside: a });
    }, 240_000);
    afterAll(async () => {
      await b?.dispose();
      await a?.dispose();
    });

    async function createSheet(server: ServerProcess): Promise<string> {
      const created = await fusion<{ id: string }>(server.url, 'POST', `/v1/spaces/${a.spaceId}/datasheets`, {
        token: a.token,
        body: { name: 'Across processes', fields: [{ name: 'Item', type: 'SingleText', property: {} }] },
      });
      expect(created.body.success, created.text).toBe(true);
      return created.body.data!.id;
    }

    async function createRecord(server: ServerProcess, datasheetId: string, item: string, token = a.token) {
      const written = await fusion<{ records: { recordId: string }[] }>(
        server.url,
        'POST',
        `/v1/datasheets/${datasheetId}/records`,
        { token, body: { records: [{ fields: { Item: item } }] } },
      );
      expect(written.body.success, written.text).toBe(true);
      return written.body.data!.records[0]!.recordId;
    }

    /** Subscribed on A, and live: a record written through A itself has arrived. */
    async function liveOnA(datasheetId: string, token = a.token) {
      const client = wsClient(a.url, { authorization: `Bearer ${token}` });
      const sub = subscribe(client, RECORDS_CHANGED, { id: datasheetId });
      // The subscription may open after a write (it starts at the datasheet's latest event): write until one has
      // reached it; the events of earlier writes come before it or not at all.
      for (let i = 0; ; i++) {
        const id = await createRecord(a, datasheetId, `ready ${i}`, token);
        const arrived = () => events(sub.items).some((e) => (e?.recordIds as string[] | undefined)?.includes(id));
        for (let waited = 0; waited < 1_000 && !arrived(); waited += 20)
          await new Promise((resolve) => setTimeout(resolve, 20));
        if (arrived()) break;
        const refused = sub.items.find((r) => r.errors);
        if (refused) throw new Error(`the subscription was refused: ${JSON.stringify(refused.errors)}`);
      }
      return Object.assign(sub, { client, seen: sub.items.length });
    }

    it('a subscriber on A receives exactly the changes written through B (REST and GraphQL), with current values', async () => {
      const sheet = await createSheet(b);
      const other = await createSheet(b);
      const sub = await liveOnA(sheet);
      try {
        const created = await createRecord(b, sheet, 'written on B');
        await createRecord(b, other, 'another datasheet');
        const updated = await gql(
          b.url,
          'mutation ($id: ID!, $r: [RecordUpdateInput!]!) { updateRecords(datasheetId: $id, records: $r) { id } }',
          { token: a.token, variables: { id: sheet, r: [{ id: created, fields: { Item: 'changed on B' } }] } },
        );
        expect(updated.body.errors, updated.text).toBeUndefined();
        const last = await createRecord(b, sheet, 'last');
        const received = events(await sub.take(sub.seen + 3)).slice(sub.seen);
        const first = Number(received[0]!.sequence);
        expect(received).toEqual([
          expect.objectContaining({
            kind: 'CREATED',
            datasheetId: sheet,
            recordIds: [created],
            records: [expect.objectContaining({ id: created })],
          }),
          expect.objectContaining({
            kind: 'UPDATED',
            sequence: String(first + 1),
            recordIds: [created],
            changes: [
              expect.objectContaining({ recordId: created, oldValue: 'written on B', newValue: 'changed on B' }),
            ],
            records: [{ id: created, fields: { Item: 'changed on B' } }],
          }),
          // Nothing of the other datasheet came in between.
          expect.objectContaining({ kind: 'CREATED', sequence: String(first + 2), recordIds: [last] }),
        ]);
      } finally {
        sub.close();
        await sub.client.dispose();
      }
    }, 60_000);

    it('a token revoked through B ends its subscription on A with UNAUTHORIZED before a later event', async () => {
      const sheet = await createSheet(b);
      const minted = await gql<{ createToken: { secret: string; token: { id: string } } }>(
        b.url,
        'mutation { createToken(input: { name: "watcher" }) { secret token { id } } }',
        { token: a.token },
      );
      expect(minted.body.errors, minted.text).toBeUndefined();
      const { secret, token } = minted.body.data!.createToken;
      const sub = await liveOnA(sheet, secret);
      try {
        const revoked = await gql(b.url, 'mutation ($id: ID!) { revokeToken(tokenId: $id) { id } }', {
          token: a.token,
          variables: { id: token.id },
        });
        expect(revoked.body.errors, revoked.text).toBeUndefined();
        await createRecord(b, sheet, 'after the revocation');
        expect(await sub.ended).toEqual({});
        expect(sub.items.slice(sub.seen)).toEqual([
          expect.objectContaining({
            data: { recordsChanged: null },
            errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHORIZED' }) })],
          }),
        ]);
      } finally {
        sub.close();
        await sub.client.dispose();
      }
    }, 60_000);
  });
}
