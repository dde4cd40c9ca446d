export { exportPersonalData, type PersonalDataDocument } from './export-personal-data.js';
export { erasePerson, type ErasureReport } from './erase-person.js';
