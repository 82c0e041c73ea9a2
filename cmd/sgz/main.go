package main

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/gin-gonic/gin"
	_ "github.com/go-echarts/go-echarts/v2/charts"
	_ "github.com/spf13/cobra"
	_ "github.com/xuri/excelize/v2"
)

func main() {}
