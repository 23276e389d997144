/**
 * Deterministic, realistic stand-in data for the Maricopa County Assessor API: PascalCase parcels
 * of a zip code, as the county's JSON looks (numbers sometimes as strings with thousands
 * separators). Seeded by zip code and index, so the same request always answers the same.
 */
const STREETS = [
  'N 7TH ST',
  'E CAMELBACK RD',
  'W INDIAN SCHOOL RD',
  'N CENTRAL AVE',
  'E THOMAS RD',
  'S MILL AVE',
  'N SCOTTSDALE RD',
  'W BASELINE RD',
  'E MCDOWELL RD',
  'N 44TH ST',
];
const SUBDIVISIONS = [
  'ARCADIA LITE',
  'ENCANTO MANOR',
  'CAMELBACK HOUSE',
  'MOUNTAIN VIEW ESTATES',
  'DESERT RIDGE',
  'TEMPE ROYAL PALMS',
  'VILLA SERENA',
  'PALO VERDE PARK',
];
const OWNERS = [
  'GARCIA MARIA',
  'SMITH JOHN & JANE',
  'NGUYEN THANH',
  'DESERT HOLDINGS LLC',
  'JOHNSON ROBERT TR',
  'PATEL ANIL',
  'LOPEZ FAMILY TRUST',
  'MILLER SARAH',
];
const TYPES = ['Single Family Residence', 'Condominium', 'Townhouse', 'Vacant Land', 'Duplex'];

const CITY_BY_PREFIX: [string, string][] = [
  ['8525', 'SCOTTSDALE'],
  ['8526', 'SCOTTSDALE'],
  ['8528', 'TEMPE'],
  ['852', 'MESA'],
  ['850', 'PHOENIX'],
  ['853', 'GLENDALE'],
];

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)] as T;
}

export function cityOf(zip: string): string {
  return CITY_BY_PREFIX.find(([p]) => zip.startsWith(p))?.[1] ?? 'PHOENIX';
}

/** The unformatted APN of parcel `index` of a zip code (8 digits, unique per zip and index). */
export function apnOf(zip: string, index: number): string {
  const book = (Number(zip) % 900) + 100;
  return `${book}${String(Math.floor(index / 1000) % 100).padStart(2, '0')}${String(index % 1000).padStart(3, '0')}`;
}

export function formatApn(apn: string): string {
  return `${apn.slice(0, 3)}-${apn.slice(3, 5)}-${apn.slice(5)}`;
}

function maybeString(r: () => number, value: number, asString: boolean): number | string {
  return asString && r() < 0.5 ? value.toLocaleString('en-US') : value;
}

export interface ParcelOptions {
  /** Give some numbers as strings, as the county sometimes does. */
  stringNumbers?: boolean;
  /** Changes the valuation (a new assessment) without changing the parcel's identity. */
  revision?: number;
}

/** A full `/parcel/{apn}` document. */
export function parcelOf(zip: string, index: number, options: ParcelOptions = {}): Record<string, unknown> {
  const r = rng(Number(zip) * 100_003 + index);
  const s = options.stringNumbers ?? true;
  const number = 100 + Math.floor(r() * 9800);
  const street = pick(r, STREETS);
  const city = cityOf(zip);
  const type = pick(r, TYPES);
  const subdivision = pick(r, SUBDIVISIONS);
  const lot = 1 + Math.floor(r() * 400);
  const fcv = Math.round((180_000 + r() * 900_000) / 100) * 100 + (options.revision ?? 0) * 1000;
  const isCondo = type === 'Condominium';
  const apn = apnOf(zip, index);
  return {
    APN: formatApn(apn),
    MCR: String(100 + Math.floor(r() * 900)),
    PropertyAddress: `${number} ${street} ${city}, AZ ${zip}`,
    PropertyDescription: isCondo
      ? `${subdivision} UNIT ${lot} TOG W UNDIV ${(r() * 2).toFixed(4)}% INT IN COMMON ELEMENTS`
      : `${subdivision} LOT ${lot} BLK ${1 + Math.floor(r() * 20)}`,
    PropertyType: type,
    IsResidential: type !== 'Vacant Land',
    LotSize: maybeString(r, Math.round(3000 + r() * 15_000), s),
    SubdivisionName: subdivision,
    Owner: {
      Ownership: pick(r, OWNERS),
      SalePrice: maybeString(r, Math.round(fcv * (0.7 + r() * 0.4)), s),
      SaleDate: `${String(1 + Math.floor(r() * 12)).padStart(2, '0')}/${String(1 + Math.floor(r() * 28)).padStart(2, '0')}/${2005 + Math.floor(r() * 19)}`,
      DeedType: 'WD',
    },
    Valuations: [0, 1, 2].map((back) => ({
      TaxYear: String(2026 - back),
      FullCashValue: maybeString(r, fcv - back * 12_000, s),
      LimitedPropertyValue: maybeString(r, Math.round((fcv - back * 12_000) * 0.62), s),
      LegalClassificationCode: '3.1',
    })),
    ResidentialPropertyData:
      type === 'Vacant Land'
        ? null
        : {
            ConstructionYear: maybeString(r, 1950 + Math.floor(r() * 74), s),
            LivableSpace: maybeString(r, Math.round(800 + r() * 3200), s),
            NumberOfGarages: String(Math.floor(r() * 3)),
            BathFixtures: String(3 + Math.floor(r() * 9)),
            Pool: r() < 0.4 ? 'Y' : 'N',
          },
  };
}

/** The entry of a parcel in the search results. */
export function searchEntryOf(zip: string, index: number): Record<string, unknown> {
  const parcel = parcelOf(zip, index);
  const address = String(parcel['PropertyAddress']);
  return {
    APN: apnOf(zip, index),
    Ownership: (parcel['Owner'] as Record<string, unknown>)['Ownership'],
    SitusAddress: address.replace(/ [A-Z]+, AZ \d{5}$/, ''),
    SitusCity: cityOf(zip),
    SitusZip: zip,
    PropertyType: parcel['PropertyType'],
    SubdivisonName: parcel['SubdivisionName'],
    IsResidential: parcel['IsResidential'],
  };
}
