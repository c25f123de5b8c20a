import http from 'node:http';
import WebSocket from 'ws';

/** How long a case stays open once nothing more arrives (an accepted subscription is then left by the client). */
const QUIET_MS = Number(process.env.FUZZ_LIVE_QUIET_MS ?? 300);

export interface WsAnswer {
  /** The close code, and whether the server sent it (false: the client left after the case). */
  code: number;
  byServer: boolean;
  reason: string;
  /** Every protocol message the server sent, parsed (or as text when it was not JSON). */
  messages: unknown[];
}

/**
 * One graphql-transport-ws conversation over a raw `ws` socket: `init` is sent as the first frame as is, then
 * (once acknowledged) `subscribe`; the client leaves after the first result, an error, a completion or a quiet
 * spell. Resolves when the socket has closed.
 */
export function wsCase(baseUrl: string, init: string, subscribe?: string): Promise<WsAnswer> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: unknown[] = [];
    let leaving = false;
    let quiet: NodeJS.Timeout | undefined;
    const leave = () => {
      if (leaving) return;
      leaving = true;
      clearTimeout(quiet);
      socket.close(1000);
    };
    const rearm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(leave, QUIET_MS);
    };
    socket.on('open', () => {
      socket.send(init);
      rearm();
    });
    socket.on('message', (data) => {
      const text = data.toString();
      let message: { type?: string } | string;
      try {
        message = JSON.parse(text) as { type?: string };
      } catch {
        message = text;
      }
      messages.push(message);
      const type = typeof message === 'object' && message !== null ? message.type : undefined;
      if (type === 'connection_ack' && subscribe) socket.send(subscribe);
      if (type === 'next' || type === 'error' || type === 'complete') leave();
      else rearm();
    });
    socket.on('error', () => {});
    socket.on('close', (code, reason) => {
      clearTimeout(quiet);
      resolve({ code, byServer: !leaving, reason: reason.toString(), messages });
    });
  });
}

export interface StreamAnswer {
  status: number;
  /** What arrived before the client left (after the first event, a completion, the end, or a quiet spell). */
  text: string;
}

/** A request for an event stream (SSE): the answer's status and its first part, then the client leaves. */
export function streamCase(
  baseUrl: string,
  request: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<StreamAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let status = 0;
    let text = '';
    let quiet: NodeJS.Timeout | undefined;
    const req = http.request(
      { host: url.hostname, port: url.port, method: request.method, path: request.path, headers: request.headers },
      (res) => {
        status = res.statusCode ?? 0;
        const rearm = () => {
          clearTimeout(quiet);
          quiet = setTimeout(() => req.destroy(), QUIET_MS);
        };
        rearm();
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          // A data line is a whole event (or a whole JSON answer): enough to judge the case.
          if (/\ndata:|^data:|event: complete/.test(text) && text.endsWith('\n\n')) req.destroy();
          else rearm();
        });
        res.on('end', () => req.destroy());
      },
    );
    req.on('error', () => {});
    req.on('close', () => {
      clearTimeout(quiet);
      resolve({ status, text });
    });
    req.end(request.body);
  });
}
