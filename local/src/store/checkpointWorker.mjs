// Entry of the platform database's checkpoint thread (see database.ts): copies
// committed write-ahead-log pages into the database file (and syncs them) off
// the platform's event loop. PASSIVE checkpoints never wait for, nor block,
// the platform's readers and writers.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.location);
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // SQLITE_BUSY while the platform's connection opens or closes: the next turn checkpoints.
    if (err?.code !== 'SQLITE_BUSY') parentPort.postMessage({ error: String(err?.message ?? err) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
