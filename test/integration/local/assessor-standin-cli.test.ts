/**
 * `phoenix assessor-standin` as a process: it answers the county's protocol with the token from
 * ASSESSOR_STANDIN_TOKEN, labels itself a stand-in, and SIGTERM stops it with exit code 0.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAND_IN_HEADER } from '../../../src/local/assessor-standin.ts';
import { freePort, startProcess, waitUntil, type ManagedProcess } from '../../../src/local/process.ts';
import { repoRoot } from '../../../src/shared/tools.ts';

const TOKEN = 'stand-in-token-for-the-test';
let dir: string;
let port: number;
let standIn: ManagedProcess;

const get = (path: string, token?: string) =>
  fetch(`http://127.0.0.1:${port}${path}`, { headers: token === undefined ? {} : { AUTHORIZATION: token } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phoenix-standin-it-'));
  port = await freePort();
  standIn = startProcess({
    name: 'assessor-standin',
    command: process.execPath,
    args: [join(repoRoot, 'src/cli/main.ts'), 'assessor-standin', '--port', String(port), '--parcels', '30'],
    logFile: join(dir, 'standin.log'),
    env: { ...process.env, ASSESSOR_STANDIN_TOKEN: TOKEN },
  });
  const up = await waitUntil(async () => (await get('/search/property/?q=85281', TOKEN)).ok, 15_000);
  expect(up, readFileSync(join(dir, 'standin.log'), 'utf8')).toBe(true);
});

afterAll(async () => {
  await standIn.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('phoenix assessor-standin', () => {
  it('pages a zip code search with realistic PascalCase parcels', async () => {
    const res = await get('/search/property/?q=85281&page=2', TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get(STAND_IN_HEADER)).toBe('maricopa-assessor');
    const body = (await res.json()) as { TotalPropertyCount: number; RealPropertyResults: any[] };
    expect(body.TotalPropertyCount).toBe(30);
    expect(body.RealPropertyResults).toHaveLength(5);
    expect(body.RealPropertyResults[0]).toMatchObject({
      APN: expect.stringMatching(/^[0-9]{8}$/),
      SitusZip: '85281',
      SitusCity: 'TEMPE',
      SitusAddress: expect.any(String),
    });
  });

  it("answers a parcel of any county zip code, the samples' included", async () => {
    const search = await get('/search/property/?q=85395', TOKEN);
    const apn = ((await search.json()) as { RealPropertyResults: { APN: string }[] }).RealPropertyResults[0]!
      .APN;
    const res = await get(`/parcel/${apn}/address`, TOKEN);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { PropertyAddress: string }).PropertyAddress).toMatch(/AZ 85395$/);
  });

  it('refuses another token as the county does', async () => {
    const res = await get('/search/property/?q=85281', 'wrong');
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('"Unauthorized access"');
    expect((await get('/search/property/?q=85281')).status).toBe(500);
  });

  it('says it is a stand-in, and stops cleanly on SIGTERM', async () => {
    expect(readFileSync(join(dir, 'standin.log'), 'utf8')).toContain(
      "STAND-IN Maricopa County Assessor API (generated data, not the county's service)",
    );
    process.kill(standIn.pid, 'SIGTERM');
    expect(await standIn.exited).toBe(0);
    await expect(get('/search/property/?q=85281', TOKEN)).rejects.toThrow();
  });
});
