// What the survey-answer folder gives the other survey screens (issue 14): the question component
// (the builder's preview), the staff's phone-entry dialog and the verbatims, and their helpers.
export { default as SurveyQuestion } from './SurveyQuestion.vue'
export { default as PhoneEntryDialog } from './PhoneEntryDialog.vue'
export { default as ResponseList } from './ResponseList.vue'
export * from './api'
export { WORDS, type Words } from './words'
