/**
 * Child process for the ingest bench: the mini AMI on 127.0.0.1. On the parent's `blast` message it
 * writes the whole stream file to the newest client in one go, then `Event: BenchEnd`, and reports when
 * the kernel took the last byte. Runs apart so that writing costs the reader nothing. With `hubsoft` as
 * second argument it also runs the fake HubSoft here, as a remote HubSoft would be.
 */
import { readFileSync } from 'node:fs';
import { startFakeHubsoft } from '../support/fake-hubsoft.js';
import { startMiniAmi } from './mini-ami.js';

const stream = readFileSync(process.argv[2] ?? '');
const END = Buffer.from('Event: BenchEnd\r\nPrivilege: system,all\r\n\r\n');
const ami = await startMiniAmi();
const hubsoft = process.argv[3] === 'hubsoft' ? await startFakeHubsoft() : undefined;

process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'blast') {
    const socket = ami.newest();
    if (!socket) return process.send?.({ error: 'no client' });
    socket.write(stream);
    socket.write(END, () => process.send?.({ written: stream.length + END.length }));
  } else if (message.cmd === 'exit') {
    void Promise.allSettled([ami.close(), hubsoft?.close()]).then(() => process.exit(0));
  }
});
process.send?.({ port: ami.port, hubsoftUrl: hubsoft?.url });
