// Identifier checks for the operator workspace, the request registry and the classifier.

export { type FoundIdentifier, findIdentifiers, maskIdentifiersInText } from "./find-identifiers.ts";
export {
  formatSnils,
  IDENTIFIER_TITLES,
  type IdentifierCheck,
  type IdentifierErrorCode,
  type IdentifierKind,
  type IdentifierType,
  maskIdentifier,
  validateIdentifier,
  validateInn,
  validateOgrn,
  validateOgrnip,
  validateSnils,
} from "./identifiers.ts";
