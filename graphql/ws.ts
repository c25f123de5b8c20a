import type http from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { createYogaServer } from './yoga.js';
import { maskError } from './errors.js';

type Yoga = ReturnType<typeof createYogaServer>;
interface Roots {
  execute(args: ExecutionArgs): unknown;
  subscribe(args: ExecutionArgs): unknown;
}

/**
 * One event reaches every subscription of a socket in the same turn of the event loop, one message each: they go
 * out in one write (the TCP socket is corked from the first message of a turn until the next), not one per message.
 */
function coalesceWrites(ws: WebSocket, socket: Duplex): void {
  const send = ws.send.bind(ws) as (...args: unknown[]) => void;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  ws.send = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    send(...args);
  }) as WebSocket['send'];
}

/**
 * graphql-ws (the `graphql-transport-ws` protocol) on the HTTP server's upgrades at Yoga's endpoint, run through
 * Yoga's envelop: the same schema, context (the token comes from `connectionParams`: `authorization` or
 * `Authorization` as "Bearer <token>", or `token`), error masking, operation limits and metering as HTTP requests.
 */
export function attachGraphqlWs(
  server: http.Server,
  yoga: Yoga,
  options: { keepAliveMs?: number; onSocketError?: (error: Error) => void } = {},
) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== yoga.graphqlEndpoint) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      coalesceWrites(ws, socket);
      wss.emit('connection', ws, request);
      // A socket's error is the client's (a frame over maxPayload, an invalid frame), and ws has already closed
      // the socket with its code (1009, 1002). graphql-ws would print it with its stack to stderr: replace its
      // listener (added while handling 'connection' above) with ours.
      ws.removeAllListeners('error');
      ws.on('error', (error) => options.onSocketError?.(error));
    });
  };
  server.on('upgrade', onUpgrade);
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as Roots).execute(args) as never,
      subscribe: (args) => (args.rootValue as Roots).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          connectionParams: ctx.connectionParams ?? {},
        });
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [maskError(error, 'The document is not valid GraphQL') as never];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies Roots,
        };
      },
    },
    wss,
    options.keepAliveMs,
  );
  return {
    /** Open WebSocket connections. */
    get connections() {
      return wss.clients.size;
    },
    /** Closes every connection ("going away") and stops accepting upgrades. */
    async close(): Promise<void> {
      server.off('upgrade', onUpgrade);
      const clients = [...wss.clients];
      await Promise.race([disposable.dispose(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      for (const client of clients) client.terminate();
    },
  };
}
