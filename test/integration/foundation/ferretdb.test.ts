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

  it('runs an unordered bulk write of upserts', async () => {
    const props = client.db('foundation').collection('bulk');
    const ops = Array.from({ length: 500 }, (_, i) => ({
      updateOne: {
        filter: { market: 'gilbert', apn: `apn-${i % 250}` },
        update: { $set: { n: i }, $setOnInsert: { created: true } },
        upsert: true,
      },
    }));
    const result = await props.bulkWrite(ops, { ordered: false });
    expect(result.upsertedCount + result.matchedCount).toBe(500);
    expect(await props.countDocuments({ market: 'gilbert' })).toBe(250);
  });
});
