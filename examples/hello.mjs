// Printed by the demo job: proof it ran in the job container on the matrix's Node.
console.log(`hello from Node ${process.version} on ${process.platform}, in ${process.env.GITHUB_WORKSPACE}`);
