/** Generators and checks for the scale-out stacks; built in a later issue. */
export {};
