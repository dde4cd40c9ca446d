// The signed-in key's role: READ_ONLY keys see no edit controls.
import { createContext, useContext } from 'react';

export type Role = 'ADMIN' | 'MEMBER' | 'READ_ONLY';
export const RoleContext = createContext<Role>('READ_ONLY');

/** True when the key may change CRM data (MEMBER or ADMIN). */
export const useCanEdit = () => useContext(RoleContext) !== 'READ_ONLY';

/** True for ADMIN keys (custom field definitions, workflows). */
export const useIsAdmin = () => useContext(RoleContext) === 'ADMIN';
