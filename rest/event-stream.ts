import type { Request, Response } from 'express';
import type { FeedEvent } from '../src/domain/events/feed.js';
import { bearerSecret } from '../src/domain/tokens/token.service.js';
import { toFusionFailure } from './errors.js';
import type { RequestContext } from './ioc.js';

/** The JSON of one event on the REST stream (`data:`); its `sequence` is also the SSE `id:`. */
export function eventData(e: FeedEvent) {
  return {
    kind: e.kind,
    sequence: e.sequence,
    datasheetId: e.datasheetId,
    recordIds: e.recordIds,
    changes: e.changes.map((c) => ({
      recordId: c.recordId,
      fieldId: c.fieldId,
      oldValue: c.oldValue ?? null,
      newValue: c.newValue ?? null,
    })),
    ...(e.targetId !== null ? { targetId: e.targetId } : {}),
    author: e.actorId,
    at: e.at.toISOString(),
  };
}

/**
 * GET /fusion/v1/datasheets/{datasheetId}/events: the datasheet's committed changes as Server-Sent Events, one
 * `message` per event (`id:` its sequence, `data:` its JSON), resumed after `Last-Event-ID` (what EventSource sends
 * when it reconnects) or else `?after=`. A comment every `heartbeatMs` keeps proxies from closing an idle stream.
 * When the token is revoked or expires, or its access is withdrawn, a last `event: error` (the Fusion code and
 * message) is sent and the stream ends; on server shutdown it ends without one.
 */
export async function streamEvents(
  ctx: RequestContext,
  datasheetId: string,
  after: string | undefined,
  request: Request,
  heartbeatMs: number,
): Promise<void> {
  const res = request.res as Response;
  const lastEventId = request.headers['last-event-id'];
  const resume = typeof lastEventId === 'string' && lastEventId !== '' ? lastEventId : (after ?? null);
  const stream = await ctx.services.live.subscribe({
    secret: bearerSecret(request.headers.authorization)!,
    actor: ctx.access.actor,
    datasheetId,
    scope: 'records:read',
    after: resume,
    afterParameter: resume === lastEventId ? 'Last-Event-ID' : 'after',
  });
  res.on('close', () => void stream.return?.());
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write(': connected\n\n');
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
  try {
    for (;;) {
      let next: IteratorResult<FeedEvent>;
      try {
        next = await stream.next();
      } catch (error) {
        const { body } = toFusionFailure(error);
        res.write(`event: error\ndata: ${JSON.stringify({ code: body.code, message: body.message })}\n\n`);
        break;
      }
      if (next.done || res.destroyed) break;
      const ok = res.write(`id: ${next.value.sequence}\ndata: ${JSON.stringify(eventData(next.value))}\n\n`);
      if (!ok) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    }
  } finally {
    clearInterval(heartbeat);
    await stream.return?.();
    if (!res.writableEnded) res.end();
  }
}
