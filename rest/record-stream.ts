import type { Request, Response } from 'express';
import type { RecordQuery } from '../src/domain/records/query-records.js';
import type { RequestContext } from './ioc.js';

/**
 * GET records with pageSize=-1 (every matching row, as the reference): the answer is written page by page as
 * the keyset pages are read, so memory holds one page whatever the row count, and the request costs one
 * rate-limit point per page of 1,000 rows (the first was spent when it was admitted). The envelope and key order
 * are those of a paged answer; `pageSize` (the rows returned) comes last, once known. An error before the first
 * byte answers as usual; after it, the connection is cut so a client never takes a truncated answer as whole.
 */
export async function streamAllRecords(
  ctx: RequestContext,
  datasheetId: string,
  query: RecordQuery,
  request: Request,
): Promise<void> {
  const res = request.res as Response;
  const left = new AbortController();
  res.on('close', () => left.abort());
  const { actor } = ctx.access;
  const meter = () => ctx.services.access.spend(actor, { datasheetId }, left.signal);
  const pages = ctx.services.records.queryAllPages(ctx.access.scope, datasheetId, query, meter);
  let count = 0;
  let started = false;
  for await (const page of pages) {
    if (left.signal.aborted) return;
    let chunk = started ? '' : `{"code":200,"success":true,"data":{"total":${page.total ?? 0},"records":[`;
    for (const record of page.records) chunk += (count++ === 0 ? '' : ',') + JSON.stringify(record);
    if (!started) res.status(200).type('application/json');
    started = true;
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
  }
  if (left.signal.aborted) return;
  res.end(`],"pageNum":1,"pageSize":${count}},"message":"SUCCESS"}`);
}
