import { afterAll, beforeAll } from 'vitest';
import { startFerretDb, type FerretDb } from '../../src/local/ferretdb.ts';

/** A FerretDB of the calling test file's own, on a random port with a temporary data directory. */
export function useFerretDb(): { db: FerretDb } {
  const holder = {} as { db: FerretDb };
  beforeAll(async () => {
    holder.db = await startFerretDb();
  });
  afterAll(async () => {
    await holder.db.destroy();
  });
  return holder;
}
