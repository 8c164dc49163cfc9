/**
 * Test fixtures for the data module: synthetic batch files, a small tar writer, a loopback HTTP
 * server and temporary folders. Node-only; imported by tests, never by library code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE_BYTES, RECORD_BYTES } from './cifar10';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Folder of the shared read-only CIFAR-10 copy: `$CIFAR10_DIR`, else `../shared/cifar10/cifar-10-batches-bin`. */
export function sharedCifar10Dir(): string {
  return process.env.CIFAR10_DIR ?? path.resolve(repoRoot, '../shared/cifar10/cifar-10-batches-bin');
}

/**
 * Builds a valid batch file with one record per label. Pixel j of record i is `(i * 31 + j) % 256`,
 * so every record differs and a test can recompute any value.
 */
export function makeBatch(labels: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(labels.length * RECORD_BYTES);
  labels.forEach((label, i) => {
    const start = i * RECORD_BYTES;
    bytes[start] = label;
    for (let j = 0; j < IMAGE_BYTES; j++) bytes[start + 1 + j] = (i * 31 + j) % 256;
  });
  return bytes;
}

/** One entry of a tar archive built by `writeTar`. */
export interface TarEntrySpec {
  name: string;
  /** File contents; omitted for a directory. */
  bytes?: Uint8Array;
  /** Type flag: '0' regular file (default with bytes), '5' directory (default without). */
  type?: string;
  /** Writes the name as a pax `path` record instead of the header's name field. */
  paxName?: boolean;
}

/** Writes a POSIX ustar archive, ended by the two zero blocks of the end-of-archive marker. */
export function writeTar(entries: readonly TarEntrySpec[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    const bytes = entry.bytes ?? new Uint8Array(0);
    const type = entry.type ?? (entry.bytes === undefined ? '5' : '0');
    if (entry.paxName === true) {
      const record = paxRecord('path', entry.name);
      blocks.push(tarHeader('PaxHeader', record.length, 'x'), padToBlock(record));
    }
    const headerName = entry.paxName === true ? 'long-name-in-pax' : entry.name;
    blocks.push(tarHeader(headerName, bytes.length, type), padToBlock(bytes));
  }
  blocks.push(new Uint8Array(1024));
  return concatBytes(blocks);
}

function tarHeader(name: string, size: number, type: string): Uint8Array {
  const header = new Uint8Array(512);
  const encoder = new TextEncoder();
  const writeField = (offset: number, text: string): void => {
    header.set(encoder.encode(text), offset);
  };
  writeField(0, name);
  writeField(100, '0000644\0');
  writeField(108, '0000000\0');
  writeField(116, '0000000\0');
  writeField(124, size.toString(8).padStart(11, '0') + '\0');
  writeField(136, '00000000000\0');
  writeField(156, type);
  writeField(257, 'ustar\u000000');
  header.fill(0x20, 148, 156);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  writeField(148, checksum.toString(8).padStart(6, '0') + '\0 ');
  return header;
}

function paxRecord(key: string, value: string): Uint8Array {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length = `${length}${body}`.length;
  return new TextEncoder().encode(`${length}${body}`);
}

function padToBlock(bytes: Uint8Array): Uint8Array {
  const padded = new Uint8Array(Math.ceil(bytes.length / 512) * 512);
  padded.set(bytes);
  return padded;
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/** Response of the test server for one path. */
export interface Route {
  body: Uint8Array | string;
  status?: number;
  contentType?: string;
  /** Content-Length to announce; when larger than the body, the connection is cut after the body. */
  declaredLength?: number;
  /** Keeps the connection open after the body, sending nothing more, until the server closes. */
  stall?: boolean;
}

/** A running loopback HTTP server. */
export interface TestServer {
  /** Base URL without a trailing slash, for example `http://127.0.0.1:41234`. */
  origin: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 at a free port. It responds to each path in `routes` with its
 * route and to every other path with `fallback` (default: a 404).
 */
export async function startTestServer(routes: Record<string, Route>, fallback?: Route): Promise<TestServer> {
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const requestPath = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    requests.push(requestPath);
    const route = routes[requestPath] ?? fallback ?? { status: 404, body: 'not found', contentType: 'text/plain' };
    answer(route, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listen() on a TCP port yields an AddressInfo.

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function answer(route: Route, response: ServerResponse): void {
  const body = typeof route.body === 'string' ? new TextEncoder().encode(route.body) : route.body;
  response.writeHead(route.status ?? 200, {
    'content-type': route.contentType ?? 'application/octet-stream',
    'content-length': String(route.declaredLength ?? body.length),
  });
  if (route.stall === true) {
    response.write(body);
    return;
  }
  if (route.declaredLength !== undefined && route.declaredLength > body.length) {
    response.write(body, () => response.destroy());
    return;
  }
  response.end(body);
}

/** Creates a fresh folder under the OS temporary folder; `remove` deletes it with its contents. */
export async function makeTempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
