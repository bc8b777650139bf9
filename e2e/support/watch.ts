import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from '@playwright/test';

// Watch-together test media: a WebM made at test time by Chromium's MediaRecorder from a
// canvas (a frame counter and the time in seconds), and a tiny HTTP server that serves it
// with byte ranges (206) so the players can seek.

export const TEST_VIDEO_SECONDS = 8;

/**
 * Records `seconds` of a canvas in a blank page (MediaRecorder is real time, so this takes
 * as long), then writes the missing Duration into the file: MediaRecorder writes a "live"
 * WebM without one, and Chromium will not seek in a video of unknown length.
 */
export async function makeTestVideo(
  browser: Browser,
  seconds = TEST_VIDEO_SECONDS,
): Promise<Buffer> {
  const cache = path.join(os.tmpdir(), `parley-e2e-watch-${seconds}s.webm`);
  try {
    return await readFile(cache);
  } catch {
    // Not made yet on this machine.
  }
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const { base64, durationMs } = await page.evaluate(async (sec) => {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 180;
      document.body.append(canvas);
      const g = canvas.getContext('2d');
      if (!g) throw new Error('no 2d context');
      const stream = canvas.captureStream(30);
      const options: MediaRecorderOptions & { videoKeyFrameIntervalDuration?: number } = {
        mimeType: 'video/webm;codecs=vp8',
        videoBitsPerSecond: 400_000,
        // A keyframe every 500 ms (where supported) makes seeks cheap.
        videoKeyFrameIntervalDuration: 500,
      };
      const recorder = new MediaRecorder(stream, options);
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => {
        if (e.data.size) chunks.push(e.data);
      };
      const start = performance.now();
      let frame = 0;
      const draw = () => {
        const t = (performance.now() - start) / 1000;
        g.fillStyle = `hsl(${(t * 45) % 360} 70% 35%)`;
        g.fillRect(0, 0, 320, 180);
        g.fillStyle = '#fff';
        g.font = 'bold 56px sans-serif';
        g.fillText(`${t.toFixed(1)}s`, 20, 90);
        g.font = '24px sans-serif';
        g.fillText(`frame ${frame++}`, 20, 140);
      };
      draw();
      const timer = setInterval(draw, 1000 / 30);
      const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
      recorder.start(250);
      await new Promise((r) => setTimeout(r, sec * 1000));
      recorder.stop();
      await stopped;
      clearInterval(timer);
      const durationMs = performance.now() - start;
      const bytes = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) {
        binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      }
      return { base64: btoa(binary), durationMs };
    }, seconds);
    const file = withWebmDuration(Buffer.from(base64, 'base64'), durationMs);
    await mkdir(path.dirname(cache), { recursive: true });
    await writeFile(cache, file);
    return file;
  } finally {
    await context.close();
  }
}

// ---- a minimal EBML edit: add Segment > Info > Duration ----

const SEGMENT_ID = 0x18538067;
const INFO_ID = 0x1549a966;
const DURATION_ID = 0x4489;

/** Length of the EBML variable-size integer starting with `first`. */
function vintLength(first: number): number {
  for (let i = 0; i < 8; i++) if (first & (0x80 >> i)) return i + 1;
  throw new Error('bad EBML vint');
}

function readId(buf: Buffer, at: number): { id: number; len: number } {
  const len = vintLength(buf[at]!);
  let id = 0;
  for (let i = 0; i < len; i++) id = id * 256 + buf[at + i]!;
  return { id, len };
}

function readSize(buf: Buffer, at: number): { size: number; len: number; unknown: boolean } {
  const len = vintLength(buf[at]!);
  let size = buf[at]! & (0xff >> len);
  let allOnes = size === 0xff >> len;
  for (let i = 1; i < len; i++) {
    size = size * 256 + buf[at + i]!;
    if (buf[at + i] !== 0xff) allOnes = false;
  }
  return { size, len, unknown: allOnes };
}

/** 8-byte size vint (0x01 then 7 bytes). */
function size8(n: number): Buffer {
  const out = Buffer.alloc(8);
  out[0] = 0x01;
  let v = n;
  for (let i = 7; i >= 1; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
}

/**
 * The file with a Duration (ms, the default TimecodeScale) in its Segment Info. Chromium's
 * MediaRecorder writes an unknown-size Segment without a SeekHead, so growing Info moves
 * nothing that is referenced by offset.
 */
export function withWebmDuration(file: Buffer, durationMs: number): Buffer {
  let at = 0;
  // EBML header.
  const header = readId(file, at);
  const headerSize = readSize(file, at + header.len);
  at += header.len + headerSize.len + headerSize.size;
  const segment = readId(file, at);
  if (segment.id !== SEGMENT_ID) throw new Error('no Segment');
  const segmentSize = readSize(file, at + segment.len);
  at += segment.len + segmentSize.len;
  while (at < file.length) {
    const el = readId(file, at);
    const size = readSize(file, at + el.len);
    const dataAt = at + el.len + size.len;
    if (el.id === INFO_ID) {
      const info = file.subarray(dataAt, dataAt + size.size);
      const duration = Buffer.alloc(11);
      duration.writeUInt16BE(DURATION_ID, 0);
      duration[2] = 0x88; // size 8
      duration.writeDoubleBE(durationMs, 3);
      const newInfo = Buffer.concat([info, duration]);
      const idBytes = file.subarray(at, at + el.len);
      const out = Buffer.concat([
        file.subarray(0, at),
        idBytes,
        size8(newInfo.length),
        newInfo,
        file.subarray(dataAt + size.size),
      ]);
      if (!segmentSize.unknown) throw new Error('a sized Segment would need its size fixed');
      return out;
    }
    if (size.unknown) break;
    at = dataAt + size.size;
  }
  throw new Error('no Segment Info');
}

// ---- serving it ----

export interface MediaServer {
  url: (name: string) => string;
  close: () => Promise<void>;
}

/** Serves `files` (name → bytes) on 127.0.0.1 with Accept-Ranges and 206 partial content. */
export async function serveMedia(files: Record<string, Buffer>): Promise<MediaServer> {
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const body = Object.hasOwn(files, name) ? files[name] : undefined;
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    const headers = {
      'content-type': 'video/webm',
      'accept-ranges': 'bytes',
      'cache-control': 'no-store',
    };
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (!range) {
      res.writeHead(200, { ...headers, 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    let start = range[1] ? Number(range[1]) : body.length - Number(range[2]);
    let end = range[1] && range[2] ? Number(range[2]) : body.length - 1;
    start = Math.max(0, start);
    end = Math.min(end, body.length - 1);
    if (start > end || start >= body.length) {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(206, {
      ...headers,
      'content-range': `bytes ${start}-${end}/${body.length}`,
      'content-length': end - start + 1,
    });
    res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${encodeURIComponent(name)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
