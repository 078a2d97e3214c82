import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** What a raw exchange on one socket gave: the status line's code (0: none) and how long until close. */
export interface RawOutcome {
  readonly status: number;
  readonly closedAfterMs: number;
  readonly response: string;
}

/**
 * Writes `chunks` to a fresh loopback socket (each after `gapMs`), reads until the server closes
 * or `timeoutMs` passes, and reports the first status code and when the socket closed.
 */
export function rawExchange(port: number, chunks: readonly (string | Buffer)[], opts: { gapMs?: number; timeoutMs?: number } = {}): Promise<RawOutcome> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise((resolve) => {
    const started = performance.now();
    let response = '';
    let settled = false;
    const s: Socket = connect(port, '127.0.0.1');
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      // The final status: an interim 100 Continue is followed by the real answer.
      const codes = [...response.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((x) => Number(x[1]));
      resolve({ status: codes.find((c) => c >= 200) ?? codes[0] ?? 0, closedAfterMs: performance.now() - started, response: response.slice(0, 2000) });
    };
    const timer = setTimeout(finish, timeoutMs);
    s.on('data', (d) => (response = (response + d.toString('latin1')).slice(0, 100_000)));
    s.on('close', finish);
    s.on('error', finish);
    s.on('connect', () => {
      void (async () => {
        for (const c of chunks) {
          if (s.destroyed) return;
          s.write(c);
          if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
        }
      })();
    });
  });
}

/** A raw-socket probe: its name, the exchange, and whether the outcome is the right handling. */
export interface RawProbe {
  readonly name: string;
  run(port: number): Promise<RawOutcome>;
  /** Null when handled right, else why not. */
  judge(o: RawOutcome): string | null;
}

// Bounds with slack over the server's 10 s (headers) and 30 s (request) timeouts: the campaign's
// own client shares the loaded machine and notices a close late.
const within = (o: RawOutcome, ms: number) => (o.closedAfterMs <= ms ? null : `socket held ${Math.round(o.closedAfterMs)} ms`);
const status = (o: RawOutcome, ok: readonly number[]) => (ok.includes(o.status) ? null : `status ${o.status || 'none'} (want ${ok.join('/')}): ${o.response.slice(0, 120)}`);

/**
 * HTTP-level abuse: bodies over the limit or of unknown length, lying lengths, header and URL
 * bombs, garbage request lines, pipelining floods, slow headers and slow bodies (slowloris),
 * and idle connections. `slow` adds the probes that take the server's timeouts (10 s, 30 s).
 */
export function rawProbes(opts: { slow: boolean }): RawProbe[] {
  const req = (head: string, body = '') => `${head}\r\n\r\n${body}`;
  const probes: RawProbe[] = [
    { name: 'body of 5 MiB announced', run: (p) => rawExchange(p, [req(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${5 * 2 ** 20}`)]), judge: (o) => status(o, [413]) },
    { name: 'chunked body', run: (p) => rawExchange(p, [req('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked', '5\r\nhello\r\n0\r\n\r\n')]), judge: (o) => status(o, [411]) },
    { name: 'Content-Length and Transfer-Encoding (smuggling)', run: (p) => rawExchange(p, [req('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked', '0\r\n\r\nGET /admin HTTP/1.1\r\n\r\n')]), judge: (o) => status(o, [400, 411, 413]) },
    { name: 'two Content-Length headers', run: (p) => rawExchange(p, [req('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 1000', '{"query":1}')]), judge: (o) => status(o, [400]) },
    { name: 'a body longer than its Content-Length', run: (p) => rawExchange(p, [req('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\nConnection: close', `{"query":"{ markets { id } }"}${'x'.repeat(100_000)}`)]), judge: (o) => status(o, [200, 400]) },
    { name: 'a negative Content-Length', run: (p) => rawExchange(p, [req('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: -5')]), judge: (o) => status(o, [400]) },
    { name: 'a 64 KB header', run: (p) => rawExchange(p, [req(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(65_536)}`)]), judge: (o) => status(o, [431]) },
    { name: '2,000 headers', run: (p) => rawExchange(p, [req(`GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`).join('\r\n')}`)]), judge: (o) => status(o, [431, 400, 200]) },
    { name: 'a 100 KB URL', run: (p) => rawExchange(p, [req(`GET /graphql?query=${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x`)]), judge: (o) => status(o, [431, 414, 400]) },
    { name: 'a garbage request line', run: (p) => rawExchange(p, ['\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 GARBAGE\r\n\r\n']), judge: (o) => status(o, [400]) },
    { name: 'HTTP/0.9', run: (p) => rawExchange(p, ['GET /\r\n'], { timeoutMs: 40_000 }), judge: (o) => status(o, [400, 408]) },
    { name: 'an unknown method', run: (p) => rawExchange(p, [req('BREW /graphql HTTP/1.1\r\nHost: x')]), judge: (o) => status(o, [400, 404, 405]) },
    { name: 'Expect: 100-continue with 1 GB', run: (p) => rawExchange(p, [req('POST /graphql HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000000000')]), judge: (o) => status(o, [413, 417]) },
    {
      name: '1,000 pipelined /healthz',
      run: (p) => rawExchange(p, [Array(1000).fill('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n').join('') + 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], { timeoutMs: 20_000 }),
      judge: (o) => status(o, [200]),
    },
  ];
  if (opts.slow) {
    probes.push(
      { name: 'slow headers (a byte every 500 ms)', run: (p) => rawExchange(p, [...'GET /healthz HTTP/1.1\r\nHost: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n\r\n'], { gapMs: 500, timeoutMs: 40_000 }), judge: (o) => within(o, 20_000) },
      { name: 'slow body (a byte every 500 ms)', run: (p) => rawExchange(p, ['POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n', ...'{"query":"{ markets { id } }"'.padEnd(200, ' ')], { gapMs: 500, timeoutMs: 60_000 }), judge: (o) => within(o, 45_000) },
      { name: 'an idle connection', run: (p) => rawExchange(p, [], { timeoutMs: 40_000 }), judge: (o) => within(o, 20_000) },
    );
  }
  return probes;
}
