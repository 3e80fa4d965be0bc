/** Every command id in one place (they are a contract: package.json, menus, hover links, tests). */
export const enum CommandId {
  Evaluate = 'klLens.evaluate',
  EvaluateSelection = 'klLens.evaluateSelection',
  CompareFiles = 'klLens.compareFiles',
  InspectFile = 'klLens.inspectFile',
  EvaluateFile = 'klLens.evaluateFile',
  OpenInPanel = 'klLens.openInPanel',
  NewNotebook = 'klLens.newNotebook',
  CopyPythonHelper = 'klLens.copyPythonHelper',
}

export const RESULTS_VIEW_TYPE = 'klLens.results';
