// Two room-api nodes of one deployment behind one origin, for the tests of a node's loss: extra
// room-api processes (the jar scripts/e2e built, the namespace's Postgres, Redis and Prosody, each its
// own node id) and a front door in front of them that balances new connections and skips a dead
// backend, as an ingress would. Only a test file that asks for them starts them.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join as joinPath } from 'node:path';
import { RESULTS, sleep } from '../tests/harness.mjs';

const JAR = process.env.E2E_ROOM_API_JAR
  ?? new URL('../../room-api/target/quarkus-app/quarkus-run.jar', import.meta.url).pathname;
// pid files here are stopped by scripts/e2e's stop_stack should a run crash with nodes still up
const RUN_DIR = process.env.OPENMEET_RUN_DIR ?? '/var/tmp/openmeet-e2e';

/** A TCP port nobody listens on now (the namespace is ours). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts a room-api node and waits until it is ready and its focus offers `bridgeId` (or any bridge
 * when not given) as healthy. `env` adds to the inherited environment (scripts/e2e's DB_URL,
 * REDIS_URL, secrets), e.g. a short lease TTL.
 */
export async function startNode({ nodeId, port, publicUrl, env = {}, bridgeId }) {
  port ??= await freePort();
  const managementPort = await freePort();
  // every node of the namespace has its own node link port (the default one is scripts/e2e's node's)
  const nodeLinkPort = await freePort();
  const logs = joinPath(RESULTS, 'logs');
  mkdirSync(logs, { recursive: true });
  const log = joinPath(logs, `room-api-${nodeId}.log`);
  const out = createWriteStream(log, { flags: 'a' });
  const proc = spawn('java', ['-Xmx384m', '-jar', JAR], {
    env: {
      ...process.env,
      ROOM_API_PORT: String(port),
      ROOM_API_MANAGEMENT_PORT: String(managementPort),
      OPENMEET_FOCUS_NODE_LINK_PORT: String(nodeLinkPort),
      PUBLIC_URL: publicUrl ?? `http://127.0.0.1:${port}`,
      OPENMEET_FOCUS_NODE_ID: nodeId,
      OPENMEET_FOCUS_CALL_RECORDS_JOURNAL_FILE: joinPath(RUN_DIR, `call-records-${nodeId}.jsonl`),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.pipe(out);
  proc.stderr.pipe(out);
  const pidFile = joinPath(RUN_DIR, `room-api-extra-${port}.pid`);
  writeFileSync(pidFile, String(proc.pid));
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => {
    rmSync(pidFile, { force: true });
    resolve({ code, signal });
  }));
  let gone = null;
  exited.then((e) => { gone = e; });
  const node = {
    nodeId, port, managementPort, log, proc, exited,
    url: `http://127.0.0.1:${port}`,
    /** Sends `signal` (SIGKILL, SIGTERM) and waits until the process has exited. */
    async stop(signal = 'SIGTERM') {
      if (!gone) proc.kill(signal);
      return exited;
    },
  };
  const until = Date.now() + 120_000;
  for (;;) {
    if (gone) throw new Error(`room-api ${nodeId} exited (${JSON.stringify(gone)}) before it was ready; log: ${log}`);
    if (Date.now() > until) {
      await node.stop('SIGKILL');
      throw new Error(`room-api ${nodeId} not ready with a healthy bridge within 120 s; log: ${log}`);
    }
    if (await ready(node, bridgeId)) return node;
    await sleep(250);
  }
}

async function ready(node, bridgeId) {
  try {
    const health = await fetch(`${node.url}/q/health/ready`);
    if (!health.ok) return false;
    const metrics = await (await fetch(`http://127.0.0.1:${node.managementPort}/q/metrics`)).text();
    return metrics.split('\n').some((l) => l.startsWith('bridge_healthy{')
      && (!bridgeId || l.includes(`bridge="${bridgeId}"`)) && Number(l.split(' ').at(-1)) >= 1);
  } catch {
    return false;
  }
}

/**
 * The front door: one HTTP origin on `port` for the `backends` ({name, port}; the array may change
 * while it runs). Each new request and each new WebSocket goes to the next backend in turn; a backend
 * that refuses the connection is skipped (the next one is tried), like an ingress whose endpoint went
 * away. A WebSocket is piped byte for byte and closed when its backend's connection closes. Every
 * WebSocket is recorded in `sockets` ({path, backend, openedAt, closedAt}).
 */
export async function startFrontDoor(backends, port) {
  port ??= await freePort();
  const sockets = [];
  let nextRequest = 0;
  let nextSocket = 0;
  const order = (start) => backends.map((_, i) => backends[(start + i) % backends.length]);

  // Connects to the first backend of `candidates` that accepts a TCP connection.
  const connect = (candidates) => new Promise((resolve, reject) => {
    const attempt = (i) => {
      if (i >= candidates.length) return reject(new Error('no backend accepts connections'));
      const s = net.connect(candidates[i].port, '127.0.0.1');
      s.once('connect', () => { s.removeAllListeners('error'); resolve({ socket: s, backend: candidates[i] }); });
      s.once('error', () => { s.destroy(); attempt(i + 1); });
    };
    attempt(0);
  });

  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    let conn;
    try {
      conn = await connect(order(nextRequest++));
    } catch (e) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(String(e.message));
      return;
    }
    const headers = { ...req.headers, connection: 'close' };
    const upstream = http.request({
      method: req.method, path: req.url, headers, createConnection: () => conn.socket,
    }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(e.message));
    });
    upstream.end(body);
  });
  server.on('upgrade', async (req, client, head) => {
    let conn;
    try {
      conn = await connect(order(nextSocket++));
    } catch {
      client.destroy();
      return;
    }
    const entry = { path: req.url, backend: conn.backend.name, openedAt: Date.now(), closedAt: null };
    sockets.push(entry);
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    conn.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head?.length) conn.socket.write(head);
    const close = () => {
      entry.closedAt ??= Date.now();
      client.destroy();
      conn.socket.destroy();
    };
    conn.socket.on('close', close).on('error', close);
    client.on('close', close).on('error', close);
    conn.socket.pipe(client);
    client.pipe(conn.socket);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port, sockets, url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
