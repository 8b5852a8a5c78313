import { createSeededRandom } from './seeded-random.js';

/** One company of the fixture directory. */
export interface FixtureCompany {
  /** URL slug: `/directory/company/<slug>`. */
  slug: string;
  name: string;
  /** Accelerator batch, e.g. `S24` (summer 2024) or `W21` (winter 2021). */
  batch: string;
  industry: string;
  location: string;
  website: string;
  founders: string[];
  /** One-line pitch shown on cards. */
  tagline: string;
  /** Longer text shown on the detail page. */
  description: string;
  teamSize: number;
}

/** Industries of the directory, in the order of the filter `<select>`. */
export const FIXTURE_INDUSTRIES = [
  'B2B Software',
  'Consumer',
  'Developer Tools',
  'Education',
  'Fintech',
  'Healthcare',
  'Industrials',
  'Real Estate',
  'Climate',
  'Government',
] as const;

/** Batches of the directory, newest first. */
export const FIXTURE_BATCHES = [
  'S24',
  'W24',
  'S23',
  'W23',
  'S22',
  'W22',
  'S21',
  'W21',
  'S20',
  'W20',
] as const;

const PREFIXES = [
  'Acme',
  'Blue',
  'Nimbus',
  'Quartz',
  'Orbit',
  'Maple',
  'Cobalt',
  'Lumen',
  'Vertex',
  'Harbor',
  'Pioneer',
  'Signal',
  'Tandem',
  'Juniper',
  'Atlas',
  'Ember',
  'Falcon',
  'Granite',
  'Helio',
  'Kite',
];
const SUFFIXES = [
  'Labs',
  'AI',
  'Health',
  'Pay',
  'Works',
  'Systems',
  'Cloud',
  'Robotics',
  'Data',
  'Energy',
  'Learning',
  'Homes',
  'Logistics',
  'Bio',
  'Security',
];
const CITIES = [
  'San Francisco, CA',
  'New York, NY',
  'London, UK',
  'Berlin, Germany',
  'Austin, TX',
  'Toronto, Canada',
  'Bangalore, India',
  'Paris, France',
  'Remote',
  'Seattle, WA',
  'Lagos, Nigeria',
  'São Paulo, Brazil',
];
const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Chen',
  'Dana',
  'Elif',
  'Farah',
  'Goran',
  'Hana',
  'Ivan',
  'Jia',
  'Kofi',
  'Lena',
  'Marco',
  'Nia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
];
const LAST_NAMES = [
  'Okafor',
  'Novak',
  'Garcia',
  'Kim',
  'Müller',
  'Patel',
  'Rossi',
  'Smith',
  'Tanaka',
  'Ivanova',
  'Haddad',
  'Larsen',
  'Silva',
  'Cohen',
  'Nguyen',
];
const VERBS = ['automates', 'simplifies', 'secures', 'speeds up', 'rebuilds', 'measures'];
const OBJECTS = [
  'invoicing',
  'clinical trials',
  'code review',
  'warehouse picking',
  'home insurance',
  'payroll',
  'carbon accounting',
  'permit applications',
  'tutoring',
  'supply chains',
];
const AUDIENCES = [
  'small businesses',
  'hospitals',
  'developers',
  'factories',
  'landlords',
  'city halls',
  'schools',
  'banks',
];

function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function generateCompanies(count: number, seed: number): FixtureCompany[] {
  const random = createSeededRandom(seed);
  const companies: FixtureCompany[] = [];
  const usedNames = new Set<string>();
  for (let index = 0; companies.length < count; index++) {
    let name = `${random.pick(PREFIXES)} ${random.pick(SUFFIXES)}`;
    if (usedNames.has(name)) name = `${name} ${index}`;
    usedNames.add(name);
    const slug = slugify(name);
    const founderCount = random.int(1, 3);
    const founders = Array.from(
      { length: founderCount },
      () => `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`,
    );
    const verb = random.pick(VERBS);
    const object = random.pick(OBJECTS);
    const audience = random.pick(AUDIENCES);
    const tagline = `${name} ${verb} ${object} for ${audience}.`;
    const teamSize = random.int(2, 250);
    companies.push({
      slug,
      name,
      batch: random.pick(FIXTURE_BATCHES),
      industry: random.pick(FIXTURE_INDUSTRIES),
      location: random.pick(CITIES),
      website: `https://${slug}.example`,
      founders,
      tagline,
      description: `${tagline} Founded by ${founders.join(' and ')}, the team of ${teamSize} people works with ${audience} to make ${object} less painful.`,
      teamSize,
    });
  }
  return companies;
}

/** The 300 companies of `/directory`, in directory order (the same on every run). */
export const fixtureCompanies: readonly FixtureCompany[] = Object.freeze(generateCompanies(300, 20240601));

/** Companies matching the directory filters, in directory order. */
export function filterCompanies(filters: {
  batch?: string | null;
  industry?: string | null;
}): FixtureCompany[] {
  return fixtureCompanies.filter(
    (company) =>
      (!filters.batch || company.batch === filters.batch) &&
      (!filters.industry || company.industry === filters.industry),
  );
}
