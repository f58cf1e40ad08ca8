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

/** Sends `request` to the server at `url` (host and port only), half-closes, and reads until the server closes. */
export const rawHttp = (url: string, request: Buffer | string): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), headers: split < 0 ? text : text.slice(0, split), body: split < 0 ? '' : text.slice(split + 4) });
    });
    socket.end(request);
  });
