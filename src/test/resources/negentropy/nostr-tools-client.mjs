// Line protocol around nostr-tools' NIP-77 Negentropy client, for the conformance test.
//   reset,<frameSizeLimit>   item,<created_at>,<id hex>   seal   initiate   reply,<hex>
// answers: msg,<hex> | have,<id> | need,<id> | done | error,<text>   (each command ends with "ok")
import { createInterface } from 'node:readline';
import { Negentropy, NegentropyStorageVector } from './node_modules/nostr-tools/lib/esm/nip77.js';

let storage = new NegentropyStorageVector();
let limit = 60000;
let neg = null;
const out = [];
const flush = () => { process.stdout.write(out.join('\n') + '\nok\n'); out.length = 0; };

createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, a, b] = line.split(',');
  try {
    if (cmd === 'reset') { storage = new NegentropyStorageVector(); limit = Number(a); neg = null; }
    else if (cmd === 'item') { storage.insert(Number(a), b); }
    else if (cmd === 'seal') { storage.seal(); neg = new Negentropy(storage, limit); }
    else if (cmd === 'initiate') { out.push('msg,' + neg.initiate()); }
    else if (cmd === 'reply') {
      const next = neg.reconcile(a, (id) => out.push('have,' + id), (id) => out.push('need,' + id));
      out.push(next === null ? 'done' : 'msg,' + next);
    } else { out.push('error,unknown command ' + cmd); }
  } catch (e) { out.push('error,' + String(e.message).replace(/[\n,]/g, ' ')); }
  flush();
});
