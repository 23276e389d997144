/**
 * A STAND-IN for the Maricopa County Assessor API, for tests and the local demo: it speaks the
 * county's protocol (AUTHORIZATION header with the raw token, `/search/property/?q=&page=` with 25
 * results a page, `/parcel/{apn}[/section]`, PascalCase JSON, "Unauthorized access" as HTTP 500)
 * over generated data. Every response carries `x-phoenix-stand-in: maricopa-assessor` and start-up
 * logs that this is not the county's service. Faults can be scripted (429 with Retry-After, 5xx,
 * malformed records, latency).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { apnOf, formatApn, parcelOf, searchEntryOf } from './assessor-data.ts';

export const STAND_IN_HEADER = 'x-phoenix-stand-in';
const PAGE_SIZE = 25;

export interface ScriptedFault {
  /** Applies to request paths starting with this prefix (e.g. `/search/property/`, `/parcel/`). */
  pathPrefix: string;
  /** How many matching requests it answers before it is used up. */
  times: number;
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface AssessorStandInOptions {
  token: string;
  /** Parcels per zip code (zip codes not listed have `defaultParcels`). */
  parcelsPerZip?: Record<string, number>;
  defaultParcels?: number;
  /** APNs (unformatted) whose parcel document is garbled (not JSON). */
  malformedApns?: string[];
  /** Zip codes whose first search page contains an entry without an APN. */
  searchEntryWithoutApn?: string[];
  /** Name of the result list in the search envelope (the county's field varies). */
  envelope?: 'RealPropertyResults' | 'Results';
  faults?: ScriptedFault[];
  latencyMs?: number;
  revision?: number;
  log?: (line: string) => void;
}

export interface AssessorStandIn {
  url: string;
  port: number;
  server: Server;
  /** Requests by path prefix (`search`, `parcel`) and in total. */
  counts: { total: number; search: number; parcel: number; unauthorized: number; faults: number };
  options: AssessorStandInOptions;
  close(): Promise<void>;
}

function respond(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    [STAND_IN_HEADER]: 'maricopa-assessor',
    ...headers,
  });
  res.end(body);
}

function parcelsIn(o: AssessorStandInOptions, zip: string): number {
  return o.parcelsPerZip?.[zip] ?? o.defaultParcels ?? 30;
}

function search(o: AssessorStandInOptions, url: URL): { status: number; body: string } {
  const q = (url.searchParams.get('q') ?? '').trim();
  const page = Math.max(1, Number(url.searchParams.get('page') ?? '1') || 1);
  const zip = /^[0-9]{5}$/.test(q) ? q : undefined;
  const total = zip === undefined ? 0 : parcelsIn(o, zip);
  const start = (page - 1) * PAGE_SIZE;
  const results: unknown[] = [];
  for (let i = start; zip !== undefined && i < Math.min(total, start + PAGE_SIZE); i++)
    results.push(searchEntryOf(zip, i));
  if (zip !== undefined && page === 1 && o.searchEntryWithoutApn?.includes(zip) && results.length > 0) {
    results[0] = { Ownership: 'UNKNOWN', SitusAddress: 'NO APN GIVEN', SitusZip: zip };
  }
  const list = o.envelope ?? 'RealPropertyResults';
  return { status: 200, body: JSON.stringify({ Query: q, TotalPropertyCount: total, [list]: results }) };
}

const SECTIONS: Record<string, (p: Record<string, unknown>) => unknown> = {
  propertyinfo: (p) => ({
    APN: p['APN'],
    MCR: p['MCR'],
    PropertyType: p['PropertyType'],
    LotSize: p['LotSize'],
    IsResidential: p['IsResidential'],
    PropertyDescription: p['PropertyDescription'],
  }),
  address: (p) => ({ APN: p['APN'], PropertyAddress: p['PropertyAddress'] }),
  valuations: (p) => p['Valuations'],
  'residential-details': (p) => p['ResidentialPropertyData'],
  'owner-details': (p) => p['Owner'],
};

function parcel(o: AssessorStandInOptions, path: string): { status: number; body: string } {
  const [, , rawApn = '', section] = path.split('/');
  const apn = decodeURIComponent(rawApn).replace(/-/g, '');
  const match = /^([0-9]{3})([0-9]{2})([0-9]{3})$/.exec(apn);
  if (match === null) return { status: 404, body: JSON.stringify({ Message: 'Parcel not found' }) };
  const zips = Object.keys(o.parcelsPerZip ?? {});
  const zip = zips.find((z) => apnOf(z, 0).slice(0, 3) === apn.slice(0, 3));
  const index = Number(apn.slice(3, 5)) * 1000 + Number(apn.slice(5));
  if (zip === undefined || index >= parcelsIn(o, zip))
    return { status: 404, body: JSON.stringify({ Message: 'Parcel not found' }) };
  if (o.malformedApns?.includes(apn))
    return { status: 200, body: `{"APN":"${formatApn(apn)}","PropertyAddress": <garbled` };
  const doc = parcelOf(zip, index, { revision: o.revision ?? 0 });
  if (section === undefined || section === '') return { status: 200, body: JSON.stringify(doc) };
  const view = SECTIONS[section];
  return view === undefined
    ? { status: 404, body: '{"Message":"Not found"}' }
    : { status: 200, body: JSON.stringify(view(doc)) };
}

function handle(standIn: AssessorStandIn, req: IncomingMessage, res: ServerResponse): void {
  const o = standIn.options;
  const url = new URL(req.url ?? '/', 'http://stand-in');
  standIn.counts.total++;
  if (req.headers['authorization'] !== o.token) {
    standIn.counts.unauthorized++;
    respond(res, 500, '"Unauthorized access"');
    return;
  }
  const fault = o.faults?.find((f) => f.times > 0 && url.pathname.startsWith(f.pathPrefix));
  if (fault !== undefined) {
    fault.times--;
    standIn.counts.faults++;
    respond(res, fault.status, fault.body ?? JSON.stringify({ Message: 'scripted fault' }), fault.headers);
    return;
  }
  if (url.pathname === '/search/property/' || url.pathname === '/search/property') {
    standIn.counts.search++;
    const r = search(o, url);
    respond(res, r.status, r.body);
    return;
  }
  if (url.pathname.startsWith('/parcel/')) {
    standIn.counts.parcel++;
    const r = parcel(o, url.pathname);
    respond(res, r.status, r.body);
    return;
  }
  respond(res, 404, '{"Message":"Not found"}');
}

export async function startAssessorStandIn(
  options: AssessorStandInOptions,
  port = 0,
  host = '127.0.0.1',
): Promise<AssessorStandIn> {
  const standIn = {
    options,
    counts: { total: 0, search: 0, parcel: 0, unauthorized: 0, faults: 0 },
  } as AssessorStandIn;
  const server = createServer((req, res) => {
    const run = (): void => {
      handle(standIn, req, res);
    };
    if ((options.latencyMs ?? 0) > 0) setTimeout(run, options.latencyMs);
    else run();
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  standIn.port = typeof address === 'object' && address !== null ? address.port : port;
  standIn.url = `http://${host}:${standIn.port}`;
  standIn.server = server;
  standIn.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    });
  (options.log ?? console.error)(
    `STAND-IN Maricopa County Assessor API (generated data, not the county's service) on ${standIn.url}`,
  );
  return standIn;
}
