import type { Random } from './random.js';

const first = ['Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Hedy', 'John', 'Katherine',
  'Tim', 'Radia', 'Donald', 'Sophie', 'Bjarne', 'Anita', 'Guido', 'Karen', 'James', 'Shafi', 'Yukihiro', 'Lena', 'Omar', 'Priya', 'Mateo',
  'Chen', 'Amara', 'Lucas', 'Ingrid', 'Kofi', 'Elena', 'Raj', 'Noor', 'Hugo', 'Mei', 'Tomas', 'Zara'];
const last = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Lamarr',
  'McCarthy', 'Johnson', 'Berners-Lee', 'Perlman', 'Knuth', 'Wilson', 'Stroustrup', 'Borg', 'van Rossum', 'Jones', 'Gosling', 'Goldwasser',
  'Matsumoto', 'Ng', 'Haddad', 'Patel', 'Garcia', 'Wei', 'Okafor', 'Silva', 'Larsen', 'Mensah', 'Rossi', 'Kumar', 'Hassan', 'Dubois', 'Tanaka',
  'Novak', 'Ahmed'];
const companyWords = ['Northwind', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Acme', 'Soylent', 'Tyrell',
  'Wonka', 'Cyberdyne', 'Aperture', 'Pied Piper', 'Gringotts', 'Monarch', 'Oscorp', 'Duff', 'Prestige'];
const companySuffix = ['Ltd', 'GmbH', 'Inc', 'Co', 'Group', 'Cafés', 'Roasters', 'Hotels', 'Offices', 'Labs'];
export const industries = ['Hospitality', 'Retail', 'Software', 'Manufacturing', 'Healthcare', 'Education', 'Finance', 'Logistics'];
export const churnReasons = ['Price: found a cheaper supplier', 'Moved to a competitor', 'Service problems', 'No longer needs the product', 'Business closed'];

export function personName(random: Random): string {
  return `${random.pick(first)} ${random.pick(last)}`;
}

export function emailFor(name: string, index: number, domain: string): string {
  return `${name.toLowerCase().replace(/[^a-z]+/g, '.')}.${index}@${domain}`;
}

export function companyName(random: Random, index: number): { name: string; domain: string } {
  const name = `${random.pick(companyWords)} ${random.pick(companySuffix)}`;
  return { name, domain: `${name.toLowerCase().replace(/[^a-z]+/g, '-')}-${index}.example` };
}

export function phoneNumber(random: Random): string {
  return `+1 555 ${random.int(100, 999)} ${random.int(1000, 9999)}`;
}
