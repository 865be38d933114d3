import { createServer, type TLSSocket } from 'node:tls';
import { it } from 'vitest';
import { createNodeCertificate, WELCOME_FRAME } from '../../transports/index.js';
import { keyOf } from './helpers.js';
import { stalledPeerCheck, transportSuite } from './suite.js';

transportSuite('tls');

it('tls: a reader that stops reading causes queue-full drops, not unbounded memory', async () => {
  const certificate = createNodeCertificate(keyOf('stalled').secret);
  const sockets: TLSSocket[] = [];
  const server = createServer({ key: certificate.keyPem, cert: certificate.certPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, (socket) => {
    sockets.push(socket);
    socket.write(WELCOME_FRAME);
    socket.pause(); // never reads again
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await stalledPeerCheck('tls', { address: `tls://127.0.0.1:${port}`, close: async () => { for (const socket of sockets) socket.destroy(); await new Promise((resolve) => server.close(resolve)); } }, 'stalled');
});
