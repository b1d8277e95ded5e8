module pipeline-go

go 1.22

require (
	github.com/deltastreaminc/pulumi-deltastream/sdk v1.0.3
	github.com/pulumi/pulumi/sdk/v3 v3.140.0
)
