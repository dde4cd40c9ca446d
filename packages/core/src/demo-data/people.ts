import type { Random } from './random.js';

// Names and contact details of demo people: the team (Users) and the customers.

const first = ['Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Hedy', 'John', 'Katherine',
  'Tim', 'Radia', 'Donald', 'Sophie', 'Bjarne', 'Anita', 'Guido', 'Karen', 'James', 'Shafi', 'Yukihiro', 'Lena', 'Omar', 'Priya', 'Mateo',
  'Chen', 'Amara', 'Lucas', 'Ingrid', 'Kofi', 'Elena', 'Raj', 'Noor', 'Hugo', 'Mei', 'Tomas', 'Zara', 'Aisha', 'Diego', 'Hana', 'Ivan',
  'Leila', 'Marco', 'Nadia', 'Oscar', 'Rosa', 'Sven', 'Yara', 'Felix'];
const last = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Lamarr',
  'McCarthy', 'Johnson', 'Berners-Lee', 'Perlman', 'Knuth', 'Wilson', 'Stroustrup', 'Borg', 'van Rossum', 'Jones', 'Gosling', 'Goldwasser',
  'Matsumoto', 'Ng', 'Haddad', 'Patel', 'Garcia', 'Wei', 'Okafor', 'Silva', 'Larsen', 'Mensah', 'Rossi', 'Kumar', 'Hassan', 'Dubois', 'Tanaka',
  'Novak', 'Ahmed', 'Schmidt', 'Kowalski', 'Moreau', 'Nakamura', 'Osei', 'Petrov', 'Quinn', 'Santos'];
const emailDomains = ['example.com', 'mail.example', 'inbox.example', 'post.example'];

export function personName(random: Random): string {
  return `${random.pick(first)} ${random.pick(last)}`;
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z]+/g, '.').replace(/^\.|\.$/g, '');

/** Unique within the workspace thanks to `number` (emails are unique per workspace). */
export function emailFor(random: Random, name: string, number: number): string {
  return `${slug(name)}.${number}@${random.pick(emailDomains)}`;
}

export function phoneNumber(random: Random): string {
  return `+1 555 ${random.int(100, 999)} ${random.int(1000, 9999)}`;
}

export interface DemoTeamMember {
  name: string;
  email: string;
  role: 'ADMIN' | 'MEMBER';
}

/** The sales and service team: owners of customers, companies and deals, assignees of tickets and tasks. */
export function buildTeam(random: Random, size: number, number: number): DemoTeamMember[] {
  return Array.from({ length: size }, (_, i) => {
    const name = personName(random);
    return { name, email: `${slug(name)}.${number + i}@team.example`, role: i === 0 ? 'ADMIN' : 'MEMBER' };
  });
}
