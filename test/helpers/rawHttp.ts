/**
 * Raw HTTP/1.1 over TCP for tests that send what fetch() refuses to (unknown
 * methods, oversized or malformed headers, unnormalised paths).
 */
import { connect } from 'node:net';

export interface RawAnswer {
  /** Status code of the first response line (0 when the server sent nothing). */
  status: number;
  /** Status line and headers, as text. */
  headers: string;
  body: string;
}

/**
 * Sends `request` to the server at `url` (host and port only) and reads until
 * the server closes the connection (send `connection: close` for requests the
 * server answers normally). No half-close: Node's server aborts a request whose
 * client half-closes. After `timeoutMs` the socket is dropped and whatever
 * arrived is returned (status 0 when nothing did).
 */
export const rawHttp = (url: string, request: Buffer | string, timeoutMs = 30_000): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const guard = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e)));
    socket.on('close', () => {
      clearTimeout(guard);
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const headers = (split < 0 ? all : all.subarray(0, split)).toString('latin1');
      let body: Buffer = split < 0 ? Buffer.alloc(0) : all.subarray(split + 4);
      if (/^transfer-encoding:\s*chunked/im.test(headers)) body = dechunk(body);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0), headers, body: body.toString('utf8') });
    });
    socket.write(request);
  });

/** The payload of a `transfer-encoding: chunked` body (sizes are in bytes). */
function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const nl = body.indexOf('\r\n', at);
    if (nl < 0) break;
    const size = parseInt(body.subarray(at, nl).toString('latin1'), 16);
    if (!size) break;
    parts.push(body.subarray(nl + 2, nl + 2 + size));
    at = nl + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
