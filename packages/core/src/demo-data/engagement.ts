import type { Random } from './random.js';

// The collaborative and service side of a demo customer: interactions, deals, tickets, surveys, tasks.

type Pair = readonly [type: string, channel: string];
const interactions: (readonly [Pair, number])[] = [
  [['EMAIL', 'EMAIL'], 30], [['CALL', 'PHONE'], 20], [['CHAT', 'CHAT'], 15], [['WEB_VISIT', 'WEB'], 15],
  [['MEETING', 'IN_PERSON'], 8], [['SOCIAL_POST', 'SOCIAL'], 6], [['NOTE', 'WEB'], 4], [['VISIT', 'IN_PERSON'], 2],
];
const subjects: Record<string, string[]> = {
  EMAIL: ['Order confirmation follow-up', 'Question about delivery times', 'Newsletter reply', 'Invoice request', 'Asked how we compare to BeanCo on price'],
  CALL: ['Support call: grinder settings', 'Renewal discussion', 'Pricing question', 'Complaint about late delivery', 'Mentioned Brewster offers a cheaper plan'],
  CHAT: ['Chat: tracking number', 'Chat: recommend a decaf', 'Chat: machine error E03', 'Chat: discount code not working'],
  WEB_VISIT: ['Viewed espresso machines', 'Viewed subscription page', 'Abandoned cart', 'Read brewing guide'],
  MEETING: ['Quarterly review', 'Product demo', 'Onboarding session', 'Tasting event'],
  SOCIAL_POST: ['Tagged us in a latte photo', 'Asked a question on our post', 'Shared a review'],
  NOTE: ['Prefers email contact', 'Decision maker is the office manager', 'Interested in the care plan'],
  VISIT: ['Visited the showroom', 'Site visit for machine installation'],
};

export function interaction(random: Random): { type: string; channel: string; subject: string; direction: 'INBOUND' | 'OUTBOUND' } {
  const [type, channel] = random.weighted(interactions);
  return { type, channel, subject: random.pick(subjects[type]!), direction: random.chance(0.55) ? 'INBOUND' : 'OUTBOUND' };
}

export const lostReasons = ['Price too high', 'Chose a competitor', 'No budget this year', 'Timing', 'No decision'];
export const dealTitles = ['Office coffee service', 'Machine upgrade', 'Subscription for the team', 'Café opening order', 'Annual supply contract', 'Tasting event catering'];
export const ticketSubjects = ['Machine leaking', 'Wrong item delivered', 'Grinder too loud', 'Refund request', 'Subscription skipped a month', 'Damaged package', 'Cannot log in'];
export const taskTitles = ['Call back about renewal', 'Send a quote', 'Check in after delivery', 'Schedule a demo', 'Follow up on the complaint'];

/** A CSAT score skewed to satisfied (1-5). */
export function csat(random: Random): number {
  return random.weighted([[5, 45], [4, 30], [3, 12], [2, 8], [1, 5]] as const);
}

/** An NPS answer (0-10), a realistic mix of promoters, passives and detractors. */
export function nps(random: Random): number {
  return random.weighted([[10, 22], [9, 20], [8, 18], [7, 12], [6, 8], [5, 6], [4, 4], [3, 3], [2, 3], [1, 2], [0, 2]] as const);
}
