// The workflows plugin's API as the Workflows pages read it (ADMIN keys; docs/plugins/workflows.md).
import { graphql, type ResultOf } from '@crm/client';

// A page of the list (the next after `after`): a literal page size keeps the query's cost under the gateway's cap.
export const workflowsQuery = graphql(`
  query Workflows($after: String) {
    workflowsConnection(first: 50, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id name enabled draft updatedAt
          publishedVersion { id number definition publishedAt }
          runs(first: 3) { id status startedAt finishedAt }
        }
      }
    }
  }
`);

// The 20 latest runs with their steps: a literal page size keeps the query's cost under the gateway's cap
// (a variable is costed at the page-size cap of 100, and 100 runs × their steps is over it).
export const workflowQuery = graphql(`
  query Workflow($id: ID!) {
    workflow(id: $id) {
      id name enabled archivedAt draft updatedAt webhookPath nextFireAt
      publishedVersion { id number definition publishedAt }
      versions { id number publishedAt }
      runs(first: 20) {
        id status startedAt finishedAt error triggerId recordId recordType heldBack
        version { id number }
        steps { id stepId kind status attempts input output error dueAt startedAt finishedAt durationMs }
      }
    }
  }
`);

export const setWorkflowEnabled = graphql(`
  mutation SetWorkflowEnabled($input: SetWorkflowEnabledInput!) {
    setWorkflowEnabled(input: $input) { workflow { id enabled } }
  }
`);

export const cancelWorkflowRun = graphql(`
  mutation CancelWorkflowRun($input: CancelWorkflowRunInput!) { cancelWorkflowRun(input: $input) { run { id status } } }
`);

export const rerunWorkflowRun = graphql(`
  mutation RerunWorkflowRun($input: RerunWorkflowRunInput!) { rerunWorkflowRun(input: $input) { run { id status } } }
`);

export type WorkflowRow = ResultOf<typeof workflowsQuery>['workflowsConnection']['edges'][number]['node'];
export type WorkflowDetail = NonNullable<ResultOf<typeof workflowQuery>['workflow']>;
export type WorkflowRunDetail = WorkflowDetail['runs'][number];
export type WorkflowStepRun = WorkflowRunDetail['steps'][number];
