/**
 * Tolerant decoding of the Assessor API's PascalCase JSON. The county's payloads vary: numbers
 * come as numbers or strings ("1,234", "$240,000"), keys change case, the search envelope names
 * its list differently. Decoding never throws on a record: it returns a typed value or a reject
 * reason, and the caller keeps the raw payload either way.
 */
export const REJECT_REASONS = [
  'unknown_shape',
  'missing_apn',
  'malformed',
  'zip_mismatch',
  'invalid_value',
  'fetch_failed',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: RejectReason; detail: string };

type Json = Record<string, unknown>;

/** Key under which a response body that was not JSON is kept. */
export const UNPARSED_KEY = 'phoenixUnparsedBody';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field by any of `names`, compared case-insensitively and ignoring `_`. */
export function field(obj: Json, ...names: string[]): unknown {
  const wanted = new Set(names.map((n) => n.toLowerCase().replaceAll('_', '')));
  for (const [key, value] of Object.entries(obj)) {
    if (wanted.has(key.toLowerCase().replaceAll('_', ''))) return value;
  }
  return undefined;
}

/** A number from a number or a numeric string ("1,234", "$240,000.00", " 7 "); else undefined. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const cleaned = value.replace(/[$,\s]/g, '');
  if (!/^-?[0-9]+(\.[0-9]+)?$/.test(cleaned)) return undefined;
  return Number(cleaned);
}

export function toText(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.replace(/\s+/g, ' ').trim();
  return trimmed === '' ? undefined : trimmed;
}

export function toBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const text = toText(value)?.toLowerCase();
  if (text === undefined) return undefined;
  if (['true', 'y', 'yes', '1'].includes(text)) return true;
  if (['false', 'n', 'no', '0'].includes(text)) return false;
  return undefined;
}

/** APN as the county formats it (`123-45-678A`), from any of its spellings. */
export function normaliseApn(value: unknown): string | undefined {
  const text = toText(value)
    ?.toUpperCase()
    .replace(/[\s.-]/g, '');
  if (text === undefined || !/^[0-9]{8}[A-Z]?$/.test(text)) return undefined;
  return `${text.slice(0, 3)}-${text.slice(3, 5)}-${text.slice(5)}`;
}

export interface SearchHit {
  apn: string;
  address?: string | undefined;
  city?: string | undefined;
  zip?: string | undefined;
}

export interface SearchPage {
  hits: SearchHit[];
  /** Entries that could not be read as a hit (kept raw, counted as rejects). */
  invalid: { raw: unknown; reason: RejectReason; detail: string }[];
  total: number | undefined;
  /** Number of entries in the page, valid or not (decides whether a next page exists). */
  size: number;
}

const RESULT_LIST_KEYS = ['RealPropertyResults', 'Results', 'Properties', 'Data', 'Items'];

function searchList(raw: unknown): unknown[] | undefined {
  if (Array.isArray(raw)) return raw as unknown[];
  if (!isObject(raw)) return undefined;
  const list = field(raw, ...RESULT_LIST_KEYS);
  return Array.isArray(list) ? list : undefined;
}

function decodeHit(entry: unknown): Decoded<SearchHit> {
  if (!isObject(entry)) return { ok: false, reason: 'malformed', detail: 'search entry is not an object' };
  const apn = normaliseApn(field(entry, 'APN', 'ParcelNumber', 'Apn'));
  if (apn === undefined) return { ok: false, reason: 'missing_apn', detail: 'search entry has no valid APN' };
  return {
    ok: true,
    value: {
      apn,
      address: toText(field(entry, 'SitusAddress', 'PropertyAddress', 'Address')),
      city: toText(field(entry, 'SitusCity', 'City')),
      zip: toText(field(entry, 'SitusZip', 'Zip', 'ZipCode'))?.slice(0, 5),
    },
  };
}

/** A page of `/search/property/`; undefined when the envelope has an unknown shape. */
export function decodeSearchPage(raw: unknown): SearchPage | undefined {
  const list = searchList(raw);
  if (list === undefined) return undefined;
  const total = isObject(raw) ? toNumber(field(raw, 'TotalPropertyCount', 'TotalCount', 'Total')) : undefined;
  const page: SearchPage = { hits: [], invalid: [], total, size: list.length };
  for (const entry of list) {
    const hit = decodeHit(entry);
    if (hit.ok) page.hits.push(hit.value);
    else page.invalid.push({ raw: entry, reason: hit.reason, detail: hit.detail });
  }
  return page;
}

export interface Valuation {
  taxYear: number;
  fullCashValue: number | undefined;
  limitedValue: number | undefined;
  legalClass: string | undefined;
}

export interface AssessorParcel {
  apn: string;
  address: string | undefined;
  city: string | undefined;
  zip: string | undefined;
  propertyType: string | undefined;
  isResidential: boolean | undefined;
  lotSizeSqft: number | undefined;
  yearBuilt: number | undefined;
  livingAreaSqft: number | undefined;
  bathFixtures: number | undefined;
  garages: number | undefined;
  pool: boolean | undefined;
  subdivision: string | undefined;
  /** The county's free-text legal description (the only unstructured text). */
  description: string | undefined;
  owner: string | undefined;
  lastSale: { price: number; date: string | undefined } | undefined;
  valuations: Valuation[];
}

function decodeValuations(raw: unknown): Valuation[] {
  if (!Array.isArray(raw)) return [];
  const out: Valuation[] = [];
  for (const entry of raw) {
    if (!isObject(entry)) continue;
    const taxYear = toNumber(field(entry, 'TaxYear', 'Year'));
    if (taxYear === undefined) continue;
    out.push({
      taxYear,
      fullCashValue: toNumber(field(entry, 'FullCashValue', 'FCV')),
      limitedValue: toNumber(field(entry, 'LimitedPropertyValue', 'LimitedValue', 'LPV')),
      legalClass: toText(field(entry, 'LegalClassificationCode', 'LegalClass')),
    });
  }
  return out.sort((a, b) => b.taxYear - a.taxYear);
}

const ZIP_AT_END = /\b([0-9]{5})(-[0-9]{4})?\s*$/;

function section(raw: Json, ...names: string[]): Json {
  const value = field(raw, ...names);
  return isObject(value) ? value : {};
}

function decodeSale(owner: Json): AssessorParcel['lastSale'] {
  const price = toNumber(field(owner, 'SalePrice', 'LastSalePrice'));
  if (price === undefined || price <= 0) return undefined;
  return { price, date: toText(field(owner, 'SaleDate', 'LastSaleDate')) };
}

function decodeLocation(
  raw: Json,
  hint: SearchHit | undefined,
): Pick<AssessorParcel, 'address' | 'city' | 'zip'> {
  const address = toText(field(raw, 'PropertyAddress', 'SitusAddress')) ?? hint?.address;
  const zip =
    toText(field(raw, 'SitusZip', 'Zip', 'ZipCode'))?.slice(0, 5) ??
    (address === undefined ? undefined : ZIP_AT_END.exec(address)?.[1]) ??
    hint?.zip;
  return { address, city: toText(field(raw, 'SitusCity', 'City')) ?? hint?.city, zip };
}

/** The `/parcel/{apn}` document (with its Owner, Valuations and ResidentialPropertyData parts). */
export function decodeParcel(raw: unknown, hint?: SearchHit): Decoded<AssessorParcel> {
  if (!isObject(raw))
    return { ok: false, reason: 'unknown_shape', detail: 'parcel payload is not an object' };
  if (UNPARSED_KEY in raw) return { ok: false, reason: 'malformed', detail: 'parcel payload is not JSON' };
  const apn = normaliseApn(field(raw, 'APN', 'ParcelNumber')) ?? hint?.apn;
  if (apn === undefined)
    return { ok: false, reason: 'missing_apn', detail: 'parcel payload has no valid APN' };
  const owner = section(raw, 'Owner', 'OwnerDetails');
  const residential = section(raw, 'ResidentialPropertyData', 'ResidentialDetails');
  const lotSize = toNumber(field(raw, 'LotSize', 'LandSize'));
  if (lotSize !== undefined && lotSize < 0) {
    return { ok: false, reason: 'invalid_value', detail: 'LotSize is negative' };
  }
  return {
    ok: true,
    value: {
      apn,
      ...decodeLocation(raw, hint),
      propertyType: toText(field(raw, 'PropertyType', 'PropertyUseDescription')),
      isResidential: toBool(field(raw, 'IsResidential')),
      lotSizeSqft: lotSize,
      yearBuilt: toNumber(field(residential, 'ConstructionYear', 'YearBuilt')),
      livingAreaSqft: toNumber(field(residential, 'LivableSpace', 'LivingArea', 'SquareFootage')),
      bathFixtures: toNumber(field(residential, 'BathFixtures', 'BathroomFixtures')),
      garages: toNumber(field(residential, 'NumberOfGarages', 'GarageStalls')),
      pool: toBool(field(residential, 'Pool')),
      subdivision: toText(field(raw, 'SubdivisionName', 'SubdivisonName')),
      description: toText(field(raw, 'PropertyDescription', 'LegalDescription')),
      owner: toText(field(owner, 'Ownership', 'OwnerName')),
      lastSale: decodeSale(owner),
      valuations: decodeValuations(field(raw, 'Valuations')),
    },
  };
}
