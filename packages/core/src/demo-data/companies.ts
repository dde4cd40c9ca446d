import type { CompanySize } from '@crm/db';
import type { Random } from './random.js';

// The businesses some customers work for: industry, size and the yearly wallet share-of-wallet is measured against.

const words = ['Northwind', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Acme', 'Soylent', 'Tyrell',
  'Wonka', 'Cyberdyne', 'Aperture', 'Pied Piper', 'Gringotts', 'Monarch', 'Oscorp', 'Duff', 'Prestige', 'Bluth', 'Dunder', 'Krusty', 'Massive'];
const suffixes = ['Ltd', 'GmbH', 'Inc', 'Co', 'Group', 'Cafés', 'Roasters', 'Hotels', 'Offices', 'Labs'];
const industries = ['Hospitality', 'Retail', 'Software', 'Manufacturing', 'Healthcare', 'Education', 'Finance', 'Logistics'];

/** Yearly spend on coffee and tea supplies, in dollars, by company size. */
const walletBySize: Record<CompanySize, number> = { MICRO: 2_000, SMALL: 8_000, MEDIUM: 30_000, LARGE: 120_000, ENTERPRISE: 500_000 };

export interface DemoCompany {
  name: string;
  domain: string;
  industry: string;
  size: CompanySize;
  /** Cents. */
  annualWallet: number;
}

/** `number` keeps domains unique within the workspace. */
export function buildCompany(random: Random, number: number): DemoCompany {
  const name = `${random.pick(words)} ${random.pick(suffixes)}`;
  const size = random.weighted([['MICRO', 25], ['SMALL', 35], ['MEDIUM', 25], ['LARGE', 10], ['ENTERPRISE', 5]] as const);
  return {
    name,
    domain: `${name.toLowerCase().replace(/[^a-z]+/g, '-')}-${number}.example`,
    industry: random.pick(industries),
    size,
    annualWallet: Math.round(walletBySize[size] * (0.5 + random.next())) * 100,
  };
}

/** A typical deal size for a company of this size, in cents. */
export function dealAmountFor(random: Random, size: CompanySize | null): number {
  const base = size ? walletBySize[size] / 8 : 600;
  return Math.max(100, Math.round(base * random.gamma(2, 2))) * 100;
}
