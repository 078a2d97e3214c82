import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One frame of a venue's stream, in publication order. */
export interface ReplayFrame {
  readonly text: string;
  /** Exchange time, epoch ms (paces a timed replay). */
  readonly tsMs: number;
}

/** A fault injected at a frame index (applied when that frame is due). */
export type Fault =
  /** Published but never sent (a frame lost in transit: only REST can fill it). */
  | { readonly at: number; readonly kind: 'drop' }
  /** Sent twice. */
  | { readonly at: number; readonly kind: 'duplicate' }
  /** This frame and the next are sent in swapped order. */
  | { readonly at: number; readonly kind: 'swap' }
  /** A frame that is not the venue's format is sent before this one. */
  | { readonly at: number; readonly kind: 'malformed'; readonly text: string }
  /** The socket is cut (no close frame) before this frame; `lost` frames are published meanwhile. */
  | { readonly at: number; readonly kind: 'disconnect'; readonly lost: number }
  /** The venue closes the connection (a close frame, like Binance's 24-hour close) before this frame. */
  | { readonly at: number; readonly kind: 'close'; readonly code: number; readonly reason: string; readonly lost: number };

/** How a venue's fixture answers what the client sends and what it asks over REST. */
export interface VenueBehaviour {
  /** Answers a client text frame (subscribe, ping; `published` frames so far); `subscribed` starts the stream. */
  onClientText?(text: string, reply: (text: string) => void, published: number): { subscribed?: boolean } | void;
  /** Whether the stream starts without a subscribe message (Binance: streams in the URL). */
  readonly streamsOnConnect: boolean;
  /** Answers a REST request; `published` frames so far (REST never sees the future). */
  rest(url: URL, body: string, published: number): unknown;
}

/** Options of {@link startReplayServer}. */
export interface ReplayOptions {
  readonly frames: readonly ReplayFrame[];
  readonly venue: VenueBehaviour;
  readonly faults?: readonly Fault[];
  /** Replay speed: × the recorded pace (null: as fast as the client reads). */
  readonly speed?: number | null;
  /** Frames per burst when unpaced. */
  readonly burst?: number;
  /** Frames published while no client is connected after a client-side close. */
  readonly lostOnClientClose?: number;
  /** REST answers 503 for this many requests first. */
  readonly restFailures?: number;
  /** The stream waits before this frame until {@link ReplayServer.release} (a test acts in between). */
  readonly holdAt?: number;
}

/** A running replay: what it sent, what it published, and the URLs to point a feed at. */
export interface ReplayServer {
  readonly wsUrl: string;
  readonly restUrl: string;
  /** Indexes of frames sent to a client (each once, even when duplicated). */
  readonly sent: Set<number>;
  /** Frames published so far (sent or not). */
  published(): number;
  connections(): number;
  /** Publishes `n` frames without sending them (the venue goes on while nobody listens). */
  advance(n: number): void;
  /** Resolves when every frame was published. */
  finished(): Promise<void>;
  /** Resolves when the stream reached `holdAt` (every frame before it sent). */
  held(): Promise<void>;
  /** Lets the stream go on past `holdAt`. */
  release(): void;
  /** REST requests served, by path. */
  readonly restCalls: Map<string, number>;
  close(): Promise<void>;
}

/**
 * A local venue: one HTTP server answering the venue's REST endpoints and its websocket
 * upgrade, replaying frames in order with faults injected at chosen indexes. Deterministic:
 * frames published while no client is connected are lost to the stream (as on a real venue),
 * and REST only returns what was published.
 */
export async function startReplayServer(options: ReplayOptions): Promise<ReplayServer> {
  const frames = options.frames;
  const faults = new Map<number, Fault[]>();
  for (const f of options.faults ?? []) faults.set(f.at, [...(faults.get(f.at) ?? []), f]);
  const sent = new Set<number>();
  const restCalls = new Map<string, number>();
  let pos = 0;
  let connections = 0;
  let restFailures = options.restFailures ?? 0;
  let active: WebSocket | null = null;
  let resolveFinished!: () => void;
  const finishedP = new Promise<void>((r) => (resolveFinished = r));
  let resolveHeld!: () => void;
  const heldP = new Promise<void>((r) => (resolveHeld = r));
  let release!: () => void;
  const releasedP = new Promise<void>((r) => (release = r));

  const http: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      restCalls.set(url.pathname, (restCalls.get(url.pathname) ?? 0) + 1);
      if (restFailures > 0) {
        restFailures--;
        res.writeHead(503).end('{"msg":"service unavailable"}');
        return;
      }
      try {
        const answer = options.venue.rest(url, body, pos);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      } catch (e) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ msg: (e as Error).message }));
      }
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));

  const send = (ws: WebSocket, text: string) =>
    new Promise<void>((resolve) => {
      ws.send(text, () => resolve());
    });

  const stream = async (ws: WebSocket) => {
    const started = Date.now();
    const t0 = frames[pos]?.tsMs ?? 0;
    let n = 0;
    while (pos < frames.length && active === ws && ws.readyState === ws.OPEN) {
      const i = pos;
      if (i === options.holdAt) {
        resolveHeld();
        await releasedP;
        if (active !== ws) break;
      }
      const here = faults.get(i) ?? [];
      faults.delete(i);
      const cut = here.find((f) => f.kind === 'disconnect' || f.kind === 'close');
      if (cut && (cut.kind === 'disconnect' || cut.kind === 'close')) {
        pos = Math.min(frames.length, pos + cut.lost);
        if (cut.kind === 'close') ws.close(cut.code, cut.reason);
        else (ws as unknown as { _socket: { end(): void } })._socket.end();
        active = null;
        break;
      }
      for (const f of here) if (f.kind === 'malformed') await send(ws, f.text);
      if (here.some((f) => f.kind === 'drop')) {
        pos++;
        continue;
      }
      if (here.some((f) => f.kind === 'swap') && i + 1 < frames.length) {
        await send(ws, frames[i + 1]!.text);
        await send(ws, frames[i]!.text);
        sent.add(i).add(i + 1);
        pos += 2;
      } else {
        await send(ws, frames[i]!.text);
        if (here.some((f) => f.kind === 'duplicate')) await send(ws, frames[i]!.text);
        sent.add(i);
        pos++;
      }
      if (options.speed) {
        // The next frame is due at its recorded offset divided by the speed.
        const wait = started + ((frames[pos]?.tsMs ?? t0) - t0) / options.speed - Date.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      } else if (++n % (options.burst ?? 200) === 0) {
        await new Promise((r) => setImmediate(r));
      }
    }
    if (pos >= frames.length) resolveFinished();
  };

  wss.on('connection', (ws) => {
    connections++;
    active = ws;
    let streaming = false;
    const begin = () => {
      if (streaming) return;
      streaming = true;
      void stream(ws);
    };
    ws.on('message', (data) => {
      const r = options.venue.onClientText?.(data.toString(), (t) => ws.send(t), pos);
      if (r && r.subscribed) begin();
    });
    ws.on('close', () => {
      if (active === ws) {
        active = null;
        // The venue goes on publishing while the client is away.
        pos = Math.min(frames.length, pos + (options.lostOnClientClose ?? 0));
        if (pos >= frames.length) resolveFinished();
      }
    });
    if (options.venue.streamsOnConnect) begin();
  });

  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    restUrl: `http://127.0.0.1:${port}`,
    sent,
    published: () => pos,
    connections: () => connections,
    advance(k) {
      pos = Math.min(frames.length, pos + k);
      if (pos >= frames.length) resolveFinished();
    },
    finished: () => finishedP,
    held: () => heldP,
    release: () => release(),
    restCalls,
    async close() {
      release();
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
