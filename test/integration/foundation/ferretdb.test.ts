import { MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFerretDb } from '../../support/ferretdb.ts';

describe('FerretDB through the mongodb driver', () => {
  const server = useFerretDb();
  let client: MongoClient;

  beforeAll(async () => {
    client = new MongoClient(server.db.uri, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
  });

  it('enforces a unique compound index', async () => {
    const props = client.db('foundation').collection('properties');
    await props.createIndexes([{ key: { market: 1, apn: 1 }, unique: true, name: 'market_apn' }]);
    await props.insertOne({ market: 'phoenix', apn: '123-45-678' });
    const duplicate = props.insertOne({ market: 'phoenix', apn: '123-45-678' });
    await expect(duplicate).rejects.toBeInstanceOf(MongoServerError);
    await expect(duplicate).rejects.toMatchObject({ code: 11000 });
    // The same APN in another market is a different property.
    await props.insertOne({ market: 'tempe', apn: '123-45-678' });
    expect(await props.countDocuments({ apn: '123-45-678' })).toBe(2);
  });

  it('upserts with $setOnInsert atomically and idempotently', async () => {
    const props = client.db('foundation').collection('upserts');
    const upsert = (value: number) =>
      props.updateOne(
        { market: 'mesa', apn: '1' },
        { $set: { value }, $setOnInsert: { firstSeen: 'day-1' } },
        { upsert: true },
      );
    const first = await upsert(10);
    expect(first.upsertedCount).toBe(1);
    const second = await upsert(20);
    expect(second.upsertedCount).toBe(0);
    expect(second.matchedCount).toBe(1);
    const doc = await props.findOne({ market: 'mesa', apn: '1' });
    expect(doc).toMatchObject({ value: 20, firstSeen: 'day-1' });
  });

  it('runs unordered bulk writes of upserts keyed by _id', async () => {
    // FerretDB v1 pushes only `_id` equality down to SQLite; keying by a deterministic `_id`
    // keeps each upsert an index lookup instead of a collection scan. FerretDB v1 holds a
    // connection per matching op until the command ends (a pool of 100), so update batches go
    // out in chunks of at most 50 ops.
    const props = client.db('foundation').collection<{ _id: string; n: number; created?: boolean }>('bulk');
    const batch = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => ({
        updateOne: {
          filter: { _id: `gilbert:apn-${from + k}` },
          update: { $set: { n: from + k }, $setOnInsert: { created: true } },
          upsert: true,
        },
      }));
    const first = await props.bulkWrite(batch(0, 250), { ordered: false });
    expect(first.upsertedCount).toBe(250);
    let upserted = 0;
    let matched = 0;
    for (let from = 0; from < 500; from += 50) {
      const chunk = await props.bulkWrite(batch(from, from + 50), { ordered: false });
      upserted += chunk.upsertedCount;
      matched += chunk.matchedCount;
    }
    expect(upserted).toBe(250);
    expect(matched).toBe(250);
    expect(await props.countDocuments({})).toBe(500);
    expect(await props.findOne({ _id: 'gilbert:apn-7' })).toMatchObject({ n: 7, created: true });
  });
});
