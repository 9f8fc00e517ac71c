/** One stack's files in one folder (`canopy gen --stack`). */
export {
  writeStack,
  STACKS,
  STACK_FILES,
  DEFAULT_GRAFANA_DASHBOARDS_DIR,
  type StackName,
  type StackInput,
  type WrittenStack,
} from './write-stack.js';
