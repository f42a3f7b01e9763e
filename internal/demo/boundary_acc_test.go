package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
)

// The demo's boundary is safe to create again: the first CreatePolicy
// answer is lost (the SDK retries and IAM says the name is taken), a second
// run finds the policy, and a policy of that name with another document is
// refused, not adopted.
func TestAccEnsureBoundary_retryAndRerun(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	l := acctest.LoseFirstAnswers(t, "iam:CreatePolicy")
	c, diags := awsclient.New(ctx, awsclient.Config{Region: acctest.Region, EndpointURL: acctest.Endpoint(),
		AccessKey: "testing", SecretKey: "testing", MaxRetries: 3, WrapTransport: l.Wrap})
	if diags.HasError() {
		t.Fatalf("emulator clients: %v", diags)
	}
	name := acctest.RandomName("boundary")
	doc := boundaryPolicy(c.Partition, c.AccountID, name).JSON()
	t.Cleanup(func() {
		if err := deleteBoundary(context.Background(), c, "arn:"+c.Partition+":iam::"+c.AccountID+":policy/"+name); err != nil {
			t.Error(err)
		}
	})

	first, err := ensureBoundary(ctx, c, name, doc)
	if err != nil {
		t.Fatalf("after a lost CreatePolicy answer: %v", err)
	}
	if missed := l.Missed(); len(missed) > 0 {
		t.Fatalf("no answer of %v was lost: the test proves nothing", missed)
	}
	again, err := ensureBoundary(ctx, c, name, doc)
	if err != nil || again != first {
		t.Fatalf("a second run: %q, %v; want %q", again, err, first)
	}
	versions, err := c.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(first)})
	if err != nil || len(versions.Versions) != 1 {
		t.Fatalf("want the one version the create made: %+v, %v", versions, err)
	}

	other := strings.Replace(doc, `"sagemaker:AddTags",`, "", 1)
	if _, err := ensureBoundary(ctx, c, name, other); err == nil || !strings.Contains(err.Error(), "another document") {
		t.Fatalf("a policy of the name with another document must be refused, got %v", err)
	}

	if err := deleteBoundary(ctx, c, first); err != nil {
		t.Fatal(err)
	}
	if _, err := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(first)}); !tfawserr.ErrCodeEquals(err, iamErrNoSuchEntity) {
		t.Fatalf("the boundary should be gone: %v", err)
	}
}
