export { mergeCustomers, mergeableCustomerFields } from './merge-customers.js';
export { mergeCompanies, mergeableCompanyFields } from './merge-companies.js';
export type { MergeInput, MergeReport } from './merge-input.js';
